/**
 * The SAML 2.0 Response Okta posts to AWS (§2 of the wire reference), and its record in the state
 * so STS can accept exactly the assertions this simulator issued.
 *
 * The Response is unsigned. Real Okta signs the Assertion and AWS checks the signature against the
 * provider's metadata; moto and our client do not verify signatures, and the simulated STS instead
 * compares the XML with the copy it recorded (which catches tampering just the same).
 *
 * @module
 */

import { newSamlId } from "./ids.ts";
import type { IssuedAssertion, SimApp, SimRole, SimState, SimUser } from "./state.ts";

const NAMEID_FORMATS = {
  unspecified: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
  emailAddress: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  persistent: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
  transient: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
} as const;

/** Inputs of {@linkcode buildSamlResponse}. */
export interface SamlResponseInput {
  /** Subject NameID value. */
  nameId: string;
  /** NameID format (default unspecified). */
  nameIdFormat?: keyof typeof NAMEID_FORMATS;
  /** Issuer, e.g. `http://www.okta.com/exk1abcdEFGH2345`. */
  issuer: string;
  /** Roles for the Role attribute, one AttributeValue each. */
  roles: SimRole[];
  /** Order inside each Role value (Okta: "principal,role"). */
  roleValueOrder?: "principal,role" | "role,principal";
  /** RoleSessionName attribute. */
  roleSessionName: string;
  /** SessionDuration attribute, omitted when unset. */
  sessionDuration?: number;
  /** AuthnStatement/@SessionNotOnOrAfter (epoch ms), omitted when unset. */
  sessionNotOnOrAfter?: number;
  /** Issue instant (epoch ms). */
  now: number;
  /** Validity each side of `now` (Conditions and SubjectConfirmationData). */
  validityMs: number;
  /** Destination and Recipient: the partition's ACS URL. */
  acsUrl: string;
  /** AudienceRestriction/Audience. */
  audience: string;
  /** Whether MFA was used (changes the AuthnContextClassRef). */
  mfa?: boolean;
}

/** A built SAML Response. */
export interface BuiltSamlResponse {
  /** Response ID. */
  id: string;
  /** The XML text. */
  xml: string;
  /** Base64 of the UTF-8 XML: the SAMLResponse form value and the STS SAMLAssertion. */
  base64: string;
  /** End of validity (epoch ms). */
  notOnOrAfter: number;
  /** NameID format URI used. */
  nameIdFormat: string;
}

/** XML text/attribute escaping. */
export function xmlEscape(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Base64 of bytes. */
export function encodeBase64(bytes: Uint8Array): string {
  return bytes.toBase64();
}

/** Strict base64 decoding; undefined when the text is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    return undefined;
  }
}

function attributeValue(value: string): string {
  return `<saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${
      xmlEscape(value)
    }</saml2:AttributeValue>`;
}

function attribute(name: string, nameFormat: "uri" | "basic", values: string[]): string {
  return `<saml2:Attribute Name="${xmlEscape(name)}" ` +
    `NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:${nameFormat}">` +
    values.map(attributeValue).join("") + `</saml2:Attribute>`;
}

/** Builds the Response + Assertion XML of §2 (unsigned; see the module note). */
export function buildSamlResponse(input: SamlResponseInput): BuiltSamlResponse {
  const id = newSamlId();
  const assertionId = newSamlId();
  const instant = new Date(input.now).toISOString();
  const notBefore = new Date(input.now - input.validityMs).toISOString();
  const notOnOrAfter = input.now + input.validityMs;
  const notOnOrAfterText = new Date(notOnOrAfter).toISOString();
  const nameIdFormat = NAMEID_FORMATS[input.nameIdFormat ?? "unspecified"];
  const issuer = xmlEscape(input.issuer);
  const acs = xmlEscape(input.acsUrl);
  const roleValues = input.roles.map((r) =>
    input.roleValueOrder === "role,principal"
      ? `${r.roleArn},${r.principalArn}`
      : `${r.principalArn},${r.roleArn}`
  );
  const attributes = [
    attribute("https://aws.amazon.com/SAML/Attributes/Role", "uri", roleValues),
    attribute("https://aws.amazon.com/SAML/Attributes/RoleSessionName", "basic", [input.roleSessionName]),
  ];
  if (input.sessionDuration !== undefined) {
    attributes.push(
      attribute("https://aws.amazon.com/SAML/Attributes/SessionDuration", "basic", [
        String(input.sessionDuration),
      ]),
    );
  }
  const sessionNotOnOrAfter = input.sessionNotOnOrAfter === undefined
    ? ""
    : ` SessionNotOnOrAfter="${new Date(input.sessionNotOnOrAfter).toISOString()}"`;
  const classRef = input.mfa
    ? "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor"
    : "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
  const xml = `<?xml version="1.0" encoding="UTF-8"?>` +
    `<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" Destination="${acs}" ` +
    `ID="${id}" IssueInstant="${instant}" Version="2.0">` +
    `<saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">${issuer}</saml2:Issuer>` +
    `<saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>` +
    `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" ` +
    `IssueInstant="${instant}" Version="2.0">` +
    `<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">${issuer}</saml2:Issuer>` +
    `<saml2:Subject><saml2:NameID Format="${nameIdFormat}">${xmlEscape(input.nameId)}</saml2:NameID>` +
    `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml2:SubjectConfirmationData NotOnOrAfter="${notOnOrAfterText}" Recipient="${acs}"/>` +
    `</saml2:SubjectConfirmation></saml2:Subject>` +
    `<saml2:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfterText}">` +
    `<saml2:AudienceRestriction><saml2:Audience>${xmlEscape(input.audience)}</saml2:Audience>` +
    `</saml2:AudienceRestriction></saml2:Conditions>` +
    `<saml2:AuthnStatement AuthnInstant="${instant}" SessionIndex="${assertionId}"${sessionNotOnOrAfter}>` +
    `<saml2:AuthnContext><saml2:AuthnContextClassRef>${classRef}</saml2:AuthnContextClassRef>` +
    `</saml2:AuthnContext></saml2:AuthnStatement>` +
    `<saml2:AttributeStatement>${attributes.join("")}</saml2:AttributeStatement>` +
    `</saml2:Assertion></saml2p:Response>`;
  return { id, xml, base64: encodeBase64(new TextEncoder().encode(xml)), notOnOrAfter, nameIdFormat };
}

/** The Response ID of a SAML Response, whatever its namespace prefix. */
export function samlResponseId(xml: string): string | undefined {
  return /<(?:[\w.-]+:)?Response\b[^>]*?\sID="([^"]+)"/.exec(xml)?.[1];
}

/** The ARN partition (`aws`, `aws-us-gov`, `aws-cn`, …) of an ARN; `aws` if it is not an ARN. */
export function arnPartition(arn: string): string {
  const parts = arn.split(":");
  return parts[0] === "arn" && parts[1] ? parts[1] : "aws";
}

/** The SAML ACS URL (Destination/Recipient and the form action) of a partition. */
export function acsUrlFor(partition: string): string {
  if (partition === "aws-us-gov") return "https://signin.amazonaws-us-gov.com/saml";
  if (partition === "aws-cn") return "https://signin.amazonaws.cn/saml";
  return "https://signin.aws.amazon.com/saml";
}

/** The SAML Audience AWS expects in a partition. */
export function audienceFor(partition: string): string {
  if (partition === "aws-us-gov") return "urn:amazon:webservices:govcloud";
  if (partition === "aws-cn") return "urn:amazon:webservices:cn-north-1";
  return "urn:amazon:webservices";
}

/** The Okta issuer of an app: `http://www.okta.com/exk…`, derived from the app id. */
export function issuerFor(app: SimApp): string {
  return `http://www.okta.com/exk${app.id.replace(/^0oa/, "")}`;
}

/** Builds the SAML Response for a user and app, and records it so STS will accept it. */
export function issueSamlResponse(
  state: SimState,
  user: SimUser,
  app: SimApp,
  options: { mfa: boolean },
): { record: IssuedAssertion; base64: string; acsUrl: string } {
  const now = state.now();
  const partition = arnPartition(app.roles[0]?.roleArn ?? "");
  const acsUrl = acsUrlFor(partition);
  const issuer = issuerFor(app);
  const roleSessionName = app.roleSessionName ?? user.login;
  const sessionNotOnOrAfter = app.sessionNotOnOrAfterSeconds === undefined
    ? undefined
    : now + app.sessionNotOnOrAfterSeconds * 1000;
  const built = buildSamlResponse({
    nameId: user.login,
    ...(app.nameIdFormat ? { nameIdFormat: app.nameIdFormat } : {}),
    issuer,
    roles: app.roles,
    ...(app.roleValueOrder ? { roleValueOrder: app.roleValueOrder } : {}),
    roleSessionName,
    ...(app.sessionDuration !== undefined ? { sessionDuration: app.sessionDuration } : {}),
    ...(sessionNotOnOrAfter !== undefined ? { sessionNotOnOrAfter } : {}),
    now,
    validityMs: state.settings.samlValidityMs,
    acsUrl,
    audience: audienceFor(partition),
    mfa: options.mfa,
  });
  const record: IssuedAssertion = {
    id: built.id,
    xml: built.xml,
    nameId: user.login,
    nameIdFormat: built.nameIdFormat,
    issuer,
    roles: app.roles.map((r) => ({ ...r })),
    roleSessionName,
    notOnOrAfter: built.notOnOrAfter,
    ...(sessionNotOnOrAfter !== undefined ? { sessionNotOnOrAfter } : {}),
    recipient: acsUrl,
    issuedAt: now,
    appId: app.id,
    uses: 0,
  };
  state.assertions.set(built.id, record);
  return { record, base64: built.base64, acsUrl };
}
