/**
 * Reads what the client needs from the SAML Response Okta posts to AWS: the role/provider pairs,
 * the session name and duration attributes, and the validity window. The signature is not checked
 * here; STS does that.
 *
 * Elements are matched by local name because IdPs use `saml2:`, `saml:` or no prefix at all.
 * Error messages never quote the assertion.
 *
 * @module
 */

import { AppError } from "../errors.ts";

/** One role the assertion lets the user assume, with the SAML provider that vouches for it. */
export interface SamlRole {
  /** `arn:aws:iam::<account>:role/<name>` */
  roleArn: string;
  /** `arn:aws:iam::<account>:saml-provider/<name>` */
  principalArn: string;
}

/** The parts of a SAML Response the client uses. */
export interface SamlAssertion {
  /** Every role/provider pair, in document order, without duplicates. */
  roles: SamlRole[];
  /** The RoleSessionName attribute. */
  roleSessionName?: string;
  /** The SessionDuration attribute, in seconds. */
  sessionDuration?: number;
  /** `Conditions/@NotOnOrAfter` (else the bearer confirmation's): when the assertion stops working. */
  notOnOrAfter?: Date;
  /** `AuthnStatement/@SessionNotOnOrAfter`: caps the STS session. */
  sessionNotOnOrAfter?: Date;
  /** The subject's NameID. */
  subject?: string;
  /** `Response/@Destination`: the ACS URL (tells the AWS partition). */
  destination?: string;
}

const ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role";
const SESSION_NAME_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
const SESSION_DURATION_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/SessionDuration";

/**
 * Decodes and reads a base64 SAMLResponse.
 *
 * @throws {AppError} `Okta's SAML response is not valid <base64|XML>: <detail>` for malformed input.
 */
export async function parseSamlAssertion(samlResponseBase64: string): Promise<SamlAssertion> {
  const bytes = decodeBase64(samlResponseBase64);
  let xml: string;
  try {
    xml = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalid("XML", "it is not UTF-8 text");
  }
  const document = await readXml(xml);
  if (document.root !== "Response") {
    throw invalid("XML", `the root element is "${document.root}", not a SAML "Response"`);
  }

  const result: SamlAssertion = { roles: collectRoles(document.attributes.get(ROLE_ATTRIBUTE) ?? []) };
  const sessionName = document.attributes.get(SESSION_NAME_ATTRIBUTE)?.[0];
  if (sessionName) result.roleSessionName = sessionName;
  const duration = document.attributes.get(SESSION_DURATION_ATTRIBUTE)?.[0];
  if (duration && /^\d+$/.test(duration)) result.sessionDuration = Number(duration);
  const notOnOrAfter = parseDate(document.conditionsNotOnOrAfter ?? document.confirmationNotOnOrAfter);
  if (notOnOrAfter) result.notOnOrAfter = notOnOrAfter;
  const sessionNotOnOrAfter = parseDate(document.sessionNotOnOrAfter);
  if (sessionNotOnOrAfter) result.sessionNotOnOrAfter = sessionNotOnOrAfter;
  if (document.subject) result.subject = document.subject;
  if (document.destination) result.destination = document.destination;
  return result;
}

/** Splits each "a,b" value and tells the role from the provider by content, in either order. */
function collectRoles(values: readonly string[]): SamlRole[] {
  const roles: SamlRole[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    const parts = value.split(",").map((part) => part.trim()).filter((part) => part !== "");
    const principalArn = parts.find((part) => part.includes(":saml-provider/"));
    const roleArn = parts.find((part) => part.includes(":role/"));
    // A value that is not exactly one role and one provider cannot be passed to STS; skip it.
    if (parts.length !== 2 || !principalArn || !roleArn) continue;
    const key = `${roleArn},${principalArn}`;
    if (seen.has(key)) continue;
    seen.add(key);
    roles.push({ roleArn, principalArn });
  }
  return roles;
}

function decodeBase64(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  if (compact === "") throw invalid("base64", "it is empty");
  const bad = compact.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) throw invalid("base64", `unexpected character at position ${bad + 1}`);
  const body = compact.replace(/=+$/, "");
  if (body.includes("=") || compact.length - body.length > 2) {
    throw invalid("base64", "misplaced padding");
  }
  if (body.length % 4 === 1) throw invalid("base64", "it is truncated");
  try {
    return Uint8Array.fromBase64(body);
  } catch {
    throw invalid("base64", "it cannot be decoded");
  }
}

interface XmlFacts {
  root: string;
  attributes: Map<string, string[]>;
  destination?: string | undefined;
  subject?: string | undefined;
  conditionsNotOnOrAfter?: string | undefined;
  confirmationNotOnOrAfter?: string | undefined;
  sessionNotOnOrAfter?: string | undefined;
}

/** One pass over the XML, keeping only the facts above; also checks that elements are closed. */
async function readXml(text: string): Promise<XmlFacts> {
  const { Parser } = await import("htmlparser2");
  const xml = text.replace(/^\uFEFF/, "");
  const facts: XmlFacts = { root: "", attributes: new Map() };
  const stack: string[] = [];
  let problem: string | undefined;
  let attributeName: string | undefined;
  let value: string | undefined;

  // Typed structurally so that no htmlparser2 import, not even a type-only one, sits at the top.
  const parser: { startIndex: number; endIndex: number; write(chunk: string): void; end(): void } =
    new Parser({
      onopentag(name, attributes) {
        const local = localName(name);
        if (stack.length === 0) {
          if (facts.root) problem ??= "more than one root element";
          else facts.root = local;
        }
        stack.push(local);
        switch (local) {
          case "Response":
            if (stack.length === 1 && attributes.Destination) facts.destination = attributes.Destination;
            break;
          case "Attribute":
            attributeName = attributes.Name;
            break;
          case "AttributeValue":
          case "NameID":
            value = "";
            break;
          case "Conditions":
            facts.conditionsNotOnOrAfter ??= attributes.NotOnOrAfter;
            break;
          case "SubjectConfirmationData":
            facts.confirmationNotOnOrAfter ??= attributes.NotOnOrAfter;
            break;
          case "AuthnStatement":
            facts.sessionNotOnOrAfter ??= attributes.SessionNotOnOrAfter;
            break;
        }
      },
      ontext(data) {
        if (value !== undefined) value += data;
        else if (stack.length === 0 && data.trim() !== "") problem ??= "text outside the root element";
      },
      onclosetag(name, isImplied) {
        // htmlparser2 closes self-closing tags "implicitly" too; any other implied close is a missing end tag.
        if (isImplied && !xml.slice(parser.startIndex, parser.endIndex + 1).endsWith("/>")) {
          problem ??= `element "${name}" is not closed`;
        }
        const local = stack.pop();
        if (local === "AttributeValue") {
          if (attributeName !== undefined && value !== undefined) {
            const values = facts.attributes.get(attributeName) ?? [];
            values.push(value.trim());
            facts.attributes.set(attributeName, values);
          }
          value = undefined;
        } else if (local === "NameID" && value !== undefined) {
          if (stack.includes("Subject")) facts.subject ??= value.trim();
          value = undefined;
        } else if (local === "Attribute") {
          attributeName = undefined;
        }
      },
      onerror(error) {
        problem ??= error.message;
      },
    }, { xmlMode: true });
  parser.write(xml);
  parser.end();

  if (problem) throw invalid("XML", problem);
  if (!facts.root) throw invalid("XML", "no root element");
  return facts;
}

function localName(name: string): string {
  const colon = name.lastIndexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
}

function parseDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function invalid(kind: "base64" | "XML", detail: string): AppError {
  return new AppError(`Okta's SAML response is not valid ${kind}: ${detail}`, {
    hint: "run the command again; if it keeps failing, run with --debug and check the Okta AWS app",
  });
}
