/**
 * Fuzzing of what the client reads from Okta's HTML and SAML: the app-link page classifier and the
 * assertion parser. Random pages never throw and find a SAMLResponse (or a step-up token) hidden
 * in any HTML noise and any entity encoding; random, truncated and mutated base64 and XML only
 * ever give a typed AppError (one line, without the assertion in it). `make test` runs a sample;
 * `make fuzz` runs FUZZ_RUNS inputs per property.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { fuzzParameters } from "../../tests/fuzz_runs.ts";
import { AppError, formatError } from "../errors.ts";
import { parseSamlAssertion } from "./assertion.ts";
import { parseAppPage } from "./saml_page.ts";

// ---------------------------------------------------------------------------------------------
// HTML pages

/** Markup that is complete on its own, so that it cannot swallow what follows it. */
const noise = fc.oneof(
  fc.constantFrom(
    "",
    '<div class="x">',
    "</div>",
    "<p>Signing in&hellip;</p>",
    "<br/>",
    '<!-- <input name="SAMLResponse" value="commented"> -->',
    "<style>.a > b { content: '<input>' }</style>",
    '<noscript><input type="submit" value="Continue"/></noscript>',
    "<meta charset=utf-8>",
    "&amp;&lt;&gt;&#x41;&#65;&nbsp;&bogus;",
    "<img src=x alt='a\"b'>",
    "\r\n\t",
    "<![CDATA[ x ]]>",
    '<form action="/other"></form>',
    '<input name="other" value="SAMLResponse">',
  ),
  fc.string({ maxLength: 20 }).map((text) => text.replace(/[<&]/g, " ")),
);
const noiseRun = fc.array(noise, { maxLength: 6 }).map((parts) => parts.join(""));

const base64Value = fc.uint8Array({ minLength: 1, maxLength: 90 }).map((bytes) => bytes.toBase64());

/** One way a page may write a character of an attribute value. */
function encodeChar(char: string, how: number): string {
  const code = char.codePointAt(0)!;
  switch (how) {
    case 1:
      return `&#x${code.toString(16)};`;
    case 2:
      return `&#X${code.toString(16).toUpperCase()};`;
    case 3:
      return `&#${code};`;
    case 4:
      return ({ "+": "&plus;", "/": "&sol;", "=": "&equals;" } as Record<string, string>)[char] ?? char;
    default:
      return char;
  }
}

const encodedValue = fc.tuple(
  base64Value,
  fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1 }),
  fc.boolean(),
)
  .map(([value, hows, wrap]) => {
    // Some IdPs wrap long values; the line breaks are not part of the base64.
    const wrapped = wrap ? value.replace(/(.{40})/g, "$1\r\n") : value;
    const encoded = [...wrapped].map((char, i) => encodeChar(char, hows[i % hows.length]!)).join("");
    return { value, encoded };
  });

const samlInput = fc.tuple(
  encodedValue,
  fc.constantFrom("SAMLResponse", "samlresponse", "SAMLRESPONSE"),
  fc.constantFrom('"', "'"),
  fc.boolean(),
  fc.constantFrom("input", "INPUT"),
).map(([{ value, encoded }, name, quote, valueFirst, tag]) => {
  const attributes = [`name=${quote}${name}${quote}`, `value=${quote}${encoded}${quote}`, `type="hidden"`];
  if (valueFirst) attributes.reverse();
  return { value, html: `<${tag} ${attributes.join(" ")}/>` };
});

Deno.test("fuzz: parseAppPage never throws on random text and says nothing but its four kinds", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), noiseRun),
      fc.integer({ min: 100, max: 599 }),
      async (html, status) => {
        const page = await parseAppPage(html, status);
        assert.ok(["saml", "signin", "stepup", "error"].includes(page.kind));
        if (page.kind === "error") assert.equal(page.status, status);
        if (page.kind === "signin") assert.ok(status < 400);
      },
    ),
    fuzzParameters(300),
  );
});

Deno.test("fuzz: the SAMLResponse is found in any noise, quoting, case and entity encoding", async () => {
  await fc.assert(
    fc.asyncProperty(
      noiseRun,
      samlInput,
      noiseRun,
      fc.constantFrom(200, 403),
      async (before, input, after, status) => {
        const html = `<html><body>${before}<form method="POST" action="https://signin.aws.amazon.com/saml">` +
          `${input.html}</form>${after}</body></html>`;
        const page = await parseAppPage(html, status);
        assert.equal(page.kind, "saml");
        if (page.kind === "saml") assert.equal(page.samlResponse, input.value);
      },
    ),
    fuzzParameters(300),
  );
});

/** Okta's JavaScript string encoding plus the other escapes scripts may use. */
function jsEncode(token: string, how: number): string {
  return [...token].map((char) => {
    const code = char.codePointAt(0)!;
    if (how === 1 && !/[A-Za-z0-9]/.test(char)) return `\\x${code.toString(16).padStart(2, "0")}`;
    if (how === 2 && !/[A-Za-z0-9]/.test(char)) return `\\u${code.toString(16).padStart(4, "0")}`;
    if (how === 3 && !/[A-Za-z0-9]/.test(char)) return `\\u{${code.toString(16)}}`;
    return char;
  }).join("");
}

Deno.test("fuzz: a step-up page's stateToken is read back exactly, whatever its escaping", async () => {
  const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
  await fc.assert(
    fc.asyncProperty(
      token,
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom("var stateToken = '%';", 'stateToken: "%",', '{"stateToken":"%"}'),
      noiseRun,
      async (value, how, shape, around) => {
        const script = shape.replace("%", jsEncode(value, how));
        const page = await parseAppPage(`<html>${around}<script>${script}</script>${around}</html>`, 200);
        assert.deepEqual(page, { kind: "stepup", stateToken: value });
      },
    ),
    fuzzParameters(300),
  );
});

// ---------------------------------------------------------------------------------------------
// SAML assertions

const ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role";
const account = fc.stringMatching(/^[0-9]{12}$/);
// IAM allows "," in names too, but the Role attribute is "a,b": AWS and every client split it there.
const roleName = fc.stringMatching(/^[A-Za-z0-9+=.@_-]{1,20}$/);
const role = fc.tuple(account, roleName, roleName).map(([acct, roleName, idp]) => ({
  roleArn: `arn:aws:iam::${acct}:role/${roleName}`,
  principalArn: `arn:aws:iam::${acct}:saml-provider/${idp}`,
}));

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function responseXml(roles: { roleArn: string; principalArn: string }[], prefix: string): string {
  const values = roles.map((r, i) =>
    `<${prefix}AttributeValue>${
      xmlEscape(i % 2 ? `${r.roleArn},${r.principalArn}` : `${r.principalArn},${r.roleArn}`)
    }` +
    `</${prefix}AttributeValue>`
  ).join("");
  const ns = prefix ? ` xmlns:${prefix.slice(0, -1)}="urn:oasis:names:tc:SAML:2.0:assertion"` : "";
  return `<?xml version="1.0" encoding="UTF-8"?><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ` +
    `Destination="https://signin.aws.amazon.com/saml"><${prefix}Assertion${ns}><${prefix}AttributeStatement>` +
    `<${prefix}Attribute Name="${ROLE_ATTRIBUTE}">${values}</${prefix}Attribute>` +
    `</${prefix}AttributeStatement></${prefix}Assertion></samlp:Response>`;
}

function base64(text: string | Uint8Array): string {
  return (typeof text === "string" ? new TextEncoder().encode(text) : text).toBase64();
}

/** The checks every refusal must pass: a one-line AppError that does not quote the input. */
function assertRefusal(error: unknown, input: string): void {
  assert.ok(error instanceof AppError, `not an AppError: ${error}`);
  const line = formatError(error);
  assert.match(line, /^Okta's SAML response is not valid (base64|XML): /);
  assert.ok(![..."\r\n"].some((c) => line.includes(c)), `one line: ${JSON.stringify(line)}`);
  if (input.length >= 16) assert.ok(!line.includes(input.slice(0, 16)), "the assertion is not quoted");
}

Deno.test("fuzz: parseSamlAssertion reads back any set of roles, in either order and any prefix", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(role, { minLength: 1, maxLength: 6, selector: (r) => r.roleArn }),
      fc.constantFrom("saml2:", "saml:", ""),
      async (roles, prefix) => {
        const assertion = await parseSamlAssertion(base64(responseXml(roles, prefix)));
        assert.deepEqual(assertion.roles, roles);
      },
    ),
    fuzzParameters(200),
  );
});

Deno.test("fuzz: random text, random bytes and random XML only give a typed refusal", async () => {
  const input = fc.oneof(
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map(base64),
    fc.string({ unit: "binary", maxLength: 200 }).map(base64),
    fc.array(
      fc.constantFrom(
        "<",
        ">",
        "/",
        "Response",
        "saml2:",
        "Attribute",
        ' a="b"',
        "&amp;",
        "&#1;",
        "<![CDATA[",
        "]]>",
        "<?xml?>",
        "\u0000",
        "x",
      ),
      { maxLength: 40 },
    )
      .map((parts) => base64(parts.join(""))),
  );
  await fc.assert(
    fc.asyncProperty(input, async (text) => {
      try {
        const assertion = await parseSamlAssertion(text);
        assert.ok(Array.isArray(assertion.roles));
      } catch (error) {
        assertRefusal(error, text);
      }
    }),
    fuzzParameters(300),
  );
});

Deno.test("fuzz: truncated and mutated assertions only give a typed refusal (or still parse)", async () => {
  const valid = fc.tuple(
    fc.uniqueArray(role, { minLength: 1, maxLength: 3, selector: (r) => r.roleArn }),
    fc.constantFrom("saml2:", ""),
  )
    .map(([roles, prefix]) => responseXml(roles, prefix));
  const mutation = fc.record({
    at: fc.nat(),
    remove: fc.nat({ max: 8 }),
    insert: fc.string({ unit: "binary", maxLength: 4 }),
    truncate: fc.boolean(),
    atBase64Level: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(valid, mutation, async (xml, m) => {
      const mutate = (text: string) => {
        const at = m.at % (text.length + 1);
        return m.truncate ? text.slice(0, at) : text.slice(0, at) + m.insert + text.slice(at + m.remove);
      };
      const text = m.atBase64Level ? mutate(base64(xml)) : base64(mutate(xml));
      try {
        const assertion = await parseSamlAssertion(text);
        for (const r of assertion.roles) {
          assert.match(r.roleArn, /:role\//);
          assert.match(r.principalArn, /:saml-provider\//);
        }
      } catch (error) {
        assertRefusal(error, text);
      }
    }),
    fuzzParameters(300),
  );
});
