import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { parseSamlAssertion } from "./assertion.ts";
import { fixture } from "./test_support.ts";

const referenceXml = await fixture("saml_response.xml");

function base64(text: string | Uint8Array): string {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""));
}

/** A minimal Response around one AttributeStatement, with a chosen assertion prefix. */
function response(attributes: string, prefix = "saml2:"): string {
  const ns = prefix ? `xmlns:${prefix.slice(0, -1)}="urn:oasis:names:tc:SAML:2.0:assertion"` : "";
  return `<?xml version="1.0"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://signin.aws.amazon.com/saml">
  <${prefix}Assertion ${ns}>
    <${prefix}AttributeStatement>${attributes}</${prefix}AttributeStatement>
  </${prefix}Assertion>
</samlp:Response>`;
}

function roleAttribute(values: string[], prefix = "saml2:"): string {
  const inner = values.map((value) => `<${prefix}AttributeValue>${value}</${prefix}AttributeValue>`).join(
    "\n",
  );
  return `<${prefix}Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">${inner}</${prefix}Attribute>`;
}

const ENGINEER = {
  roleArn: "arn:aws:iam::111111111111:role/Engineer",
  principalArn: "arn:aws:iam::111111111111:saml-provider/Okta",
};
const DEPLOY = {
  roleArn: "arn:aws:iam::222222222222:role/Deploy",
  principalArn: "arn:aws:iam::222222222222:saml-provider/Okta",
};

Deno.test("parseSamlAssertion: the reference response", async () => {
  const assertion = await parseSamlAssertion((await fixture("saml_response.b64")).trim());
  assert.deepEqual(assertion, {
    roles: [ENGINEER, DEPLOY],
    roleSessionName: "alice@example.com",
    sessionDuration: 3600,
    notOnOrAfter: new Date("2024-05-01T12:05:00.000Z"),
    subject: "alice@example.com",
    destination: "https://signin.aws.amazon.com/saml",
  });
});

Deno.test("parseSamlAssertion: base64 with line breaks and spaces", async () => {
  const wrapped = base64(referenceXml).replace(/.{64}/g, "$&\r\n ");
  const assertion = await parseSamlAssertion(`\n  ${wrapped}\n`);
  assert.deepEqual(assertion.roles, [ENGINEER, DEPLOY]);
});

Deno.test("parseSamlAssertion: prefixes saml2:, saml: and none", async () => {
  const values = [`${ENGINEER.principalArn},${ENGINEER.roleArn}`, `${DEPLOY.roleArn},${DEPLOY.principalArn}`];
  for (const prefix of ["saml2:", "saml:", ""]) {
    const xml = response(roleAttribute(values, prefix), prefix);
    const assertion = await parseSamlAssertion(base64(xml));
    assert.deepEqual(assertion.roles, [ENGINEER, DEPLOY], `prefix "${prefix}"`);
    assert.equal(assertion.destination, "https://signin.aws.amazon.com/saml");
  }
  // The reference document with its prefixes rewritten.
  const saml = referenceXml.replaceAll("saml2p:", "samlp:").replaceAll("saml2:", "saml:")
    .replaceAll("xmlns:saml2=", "xmlns:saml=").replaceAll("xmlns:saml2p=", "xmlns:samlp=");
  const bare = referenceXml.replaceAll("saml2p:", "").replaceAll("saml2:", "");
  for (const xml of [saml, bare]) {
    const assertion = await parseSamlAssertion(base64(xml));
    assert.deepEqual(assertion.roles, [ENGINEER, DEPLOY]);
    assert.equal(assertion.roleSessionName, "alice@example.com");
    assert.equal(assertion.sessionDuration, 3600);
  }
});

Deno.test("parseSamlAssertion: either order, whitespace, several accounts, repeated Attribute elements", async () => {
  const third = {
    roleArn: "arn:aws-us-gov:iam::333333333333:role/path/ReadOnly",
    principalArn: "arn:aws-us-gov:iam::333333333333:saml-provider/Okta-Gov",
  };
  const xml = response(
    roleAttribute([`\n   ${ENGINEER.roleArn} ,\n\t ${ENGINEER.principalArn}  \n`]) +
      '<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">' +
      "<saml2:AttributeValue> bob@example.com </saml2:AttributeValue></saml2:Attribute>" +
      roleAttribute([`${DEPLOY.principalArn},${DEPLOY.roleArn}`, `${third.roleArn}, ${third.principalArn}`]) +
      roleAttribute([`${ENGINEER.principalArn},${ENGINEER.roleArn}`]),
  );
  const assertion = await parseSamlAssertion(base64(xml));
  assert.deepEqual(assertion.roles, [ENGINEER, DEPLOY, third]);
  assert.equal(assertion.roleSessionName, "bob@example.com");
});

Deno.test("parseSamlAssertion: XML entities and CDATA in values", async () => {
  const xml = response(
    roleAttribute([
      "arn&#x3a;aws&#58;iam::111111111111:saml-provider/Okta&#44;arn:aws:iam::111111111111:role/Engineer",
      "<![CDATA[arn:aws:iam::222222222222:role/Deploy,arn:aws:iam::222222222222:saml-provider/Okta]]>",
    ]) +
      '<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">' +
      "<saml2:AttributeValue>alice&amp;bob&lt;x&gt;</saml2:AttributeValue></saml2:Attribute>",
  );
  const assertion = await parseSamlAssertion(base64(xml));
  assert.deepEqual(assertion.roles, [ENGINEER, DEPLOY]);
  assert.equal(assertion.roleSessionName, "alice&bob<x>");
});

Deno.test("parseSamlAssertion: values that are not one role plus one provider are skipped", async () => {
  const xml = response(roleAttribute([
    ENGINEER.roleArn,
    `${ENGINEER.roleArn},${DEPLOY.roleArn}`,
    `${ENGINEER.principalArn},${ENGINEER.roleArn},${DEPLOY.roleArn}`,
    `${DEPLOY.roleArn},${DEPLOY.principalArn}`,
  ]));
  assert.deepEqual((await parseSamlAssertion(base64(xml))).roles, [DEPLOY]);
});

Deno.test("parseSamlAssertion: SessionNotOnOrAfter, confirmation fallback, non-numeric duration", async () => {
  const xml = `<Response>
  <Assertion>
    <Subject><NameID>carol</NameID>
      <SubjectConfirmation><SubjectConfirmationData NotOnOrAfter="2024-05-01T12:06:00Z"/></SubjectConfirmation>
    </Subject>
    <AuthnStatement SessionNotOnOrAfter="2024-05-01T20:00:00.000Z"/>
    <AttributeStatement>
      <Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"><AttributeValue>1h</AttributeValue></Attribute>
    </AttributeStatement>
  </Assertion>
</Response>`;
  assert.deepEqual(await parseSamlAssertion(base64(xml)), {
    roles: [],
    notOnOrAfter: new Date("2024-05-01T12:06:00Z"),
    sessionNotOnOrAfter: new Date("2024-05-01T20:00:00Z"),
    subject: "carol",
  });
});

async function rejection(input: string): Promise<AppError> {
  const error = await parseSamlAssertion(input).then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof AppError, `expected an AppError for ${JSON.stringify(input.slice(0, 40))}`);
  return error;
}

Deno.test("parseSamlAssertion: malformed base64", async () => {
  const cases: [string, string][] = [
    ["", "Okta's SAML response is not valid base64: it is empty"],
    ["   \n", "Okta's SAML response is not valid base64: it is empty"],
    ["PD94bW<x>", "Okta's SAML response is not valid base64: unexpected character at position 7"],
    ["PD94b", "Okta's SAML response is not valid base64: it is truncated"],
    ["PD=4bWwg", "Okta's SAML response is not valid base64: misplaced padding"],
    ["PD94b===", "Okta's SAML response is not valid base64: misplaced padding"],
  ];
  for (const [input, message] of cases) {
    assert.equal((await rejection(input)).message, message);
  }
});

Deno.test("parseSamlAssertion: malformed XML, without quoting the assertion", async () => {
  const secretish = "arn:aws:iam::111111111111:role/Engineer";
  const cases: [string | Uint8Array, RegExp][] = [
    [`<Response><Assertion>${secretish}</Response>`, /not valid XML: element "Assertion" is not closed$/],
    [`<Response><Assertion>${secretish}`, /not valid XML: element "\w+" is not closed$/],
    [`just text ${secretish}`, /not valid XML: text outside the root element$/],
    [`<Response/><Response/>`, /not valid XML: more than one root element$/],
    [`<?xml version="1.0"?>`, /not valid XML: no root element$/],
    [new Uint8Array([0x3c, 0x61, 0xff, 0xfe, 0x3e]), /not valid XML: it is not UTF-8 text$/],
    [
      `<html><body>${secretish}</body></html>`,
      /not valid XML: the root element is "html", not a SAML "Response"$/,
    ],
  ];
  for (const [input, pattern] of cases) {
    const error = await rejection(base64(input));
    assert.match(error.message, pattern);
    assert.ok(error.message.startsWith("Okta's SAML response is not valid XML: "));
    assert.ok(!`${error.message} ${error.hint}`.includes(secretish));
  }
});

Deno.test("parseSamlAssertion: a UTF-8 byte order mark is fine", async () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(referenceXml)]);
  assert.deepEqual((await parseSamlAssertion(base64(bytes))).roles, [ENGINEER, DEPLOY]);
});
