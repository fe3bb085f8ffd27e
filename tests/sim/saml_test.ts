import assert from "node:assert/strict";
import { arnPartition, buildSamlResponse, decodeBase64, samlResponseId } from "./saml.ts";
import { attrEncode, jsEscape } from "./html.ts";
import { decodeEntities } from "./testing.ts";
import { requirePeer, startMoto } from "../peers.ts";

const NOW = Date.parse("2024-05-01T12:00:00.000Z");
const ROLES = [
  {
    roleArn: "arn:aws:iam::111111111111:role/Engineer",
    principalArn: "arn:aws:iam::111111111111:saml-provider/Okta",
  },
  {
    roleArn: "arn:aws:iam::222222222222:role/Deploy",
    principalArn: "arn:aws:iam::222222222222:saml-provider/Okta",
  },
];

function build(overrides: Partial<Parameters<typeof buildSamlResponse>[0]> = {}) {
  return buildSamlResponse({
    nameId: "alice@example.com",
    issuer: "http://www.okta.com/exk1abcdEFGH2345",
    roles: ROLES,
    roleSessionName: "alice@example.com",
    now: NOW,
    validityMs: 5 * 60 * 1000,
    acsUrl: "https://signin.aws.amazon.com/saml",
    audience: "urn:amazon:webservices",
    ...overrides,
  });
}

Deno.test("saml: Response structure, validity window and bearer confirmation as in §2", () => {
  const { xml, id, base64, notOnOrAfter } = build();
  assert.equal(notOnOrAfter, NOW + 300_000);
  assert.equal(samlResponseId(xml), id);
  assert.equal(new TextDecoder().decode(decodeBase64(base64)), xml);
  assert.match(
    xml,
    /^<\?xml version="1\.0" encoding="UTF-8"\?><saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2\.0:protocol"/,
  );
  assert.ok(xml.includes(`Destination="https://signin.aws.amazon.com/saml"`));
  assert.ok(xml.includes(`IssueInstant="2024-05-01T12:00:00.000Z"`));
  assert.ok(xml.includes(`<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>`));
  assert.ok(xml.includes(
    `<saml2:SubjectConfirmationData NotOnOrAfter="2024-05-01T12:05:00.000Z" Recipient="https://signin.aws.amazon.com/saml"/>`,
  ));
  assert.ok(
    xml.includes(
      `<saml2:Conditions NotBefore="2024-05-01T11:55:00.000Z" NotOnOrAfter="2024-05-01T12:05:00.000Z">`,
    ),
  );
  assert.ok(xml.includes(`<saml2:Audience>urn:amazon:webservices</saml2:Audience>`));
  assert.ok(xml.includes(
    `<saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">alice@example.com</saml2:NameID>`,
  ));
  assert.equal(xml.match(/<saml2:Issuer\b/g)?.length, 2);
  assert.equal(xml.includes("SessionNotOnOrAfter"), false);
  assert.equal(xml.includes("SessionDuration"), false);
});

Deno.test("saml: one AttributeValue per role, principal first by default, role first on request", () => {
  const values = (xml: string) =>
    [...xml.matchAll(/Attributes\/Role" [^>]*>(.*?)<\/saml2:Attribute>/g)].flatMap((m) =>
      [...m[1]!.matchAll(/<saml2:AttributeValue[^>]*>([^<]*)</g)].map((v) => v[1])
    );
  assert.deepEqual(values(build().xml), [
    "arn:aws:iam::111111111111:saml-provider/Okta,arn:aws:iam::111111111111:role/Engineer",
    "arn:aws:iam::222222222222:saml-provider/Okta,arn:aws:iam::222222222222:role/Deploy",
  ]);
  assert.deepEqual(values(build({ roleValueOrder: "role,principal" }).xml), [
    "arn:aws:iam::111111111111:role/Engineer,arn:aws:iam::111111111111:saml-provider/Okta",
    "arn:aws:iam::222222222222:role/Deploy,arn:aws:iam::222222222222:saml-provider/Okta",
  ]);
});

Deno.test("saml: SessionDuration, SessionNotOnOrAfter and escaped values", () => {
  const { xml } = build({
    sessionDuration: 3600,
    sessionNotOnOrAfter: NOW + 3600_000,
    nameId: "o'brien&co@example.com",
    roleSessionName: "o'brien",
    mfa: true,
  });
  assert.match(xml, /SessionDuration" NameFormat="[^"]+:basic"><saml2:AttributeValue [^>]*>3600</);
  assert.ok(xml.includes(`SessionNotOnOrAfter="2024-05-01T13:00:00.000Z"`));
  assert.ok(xml.includes(">o&apos;brien&amp;co@example.com</saml2:NameID>"));
  assert.ok(xml.includes("ac:classes:MultiFactor"));
});

Deno.test("html: attribute encoding leaves only [A-Za-z0-9,._-] and round-trips; JS escaping uses \\xHH", () => {
  assert.equal(
    attrEncode("https://signin.aws.amazon.com/saml"),
    "https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml",
  );
  assert.equal(attrEncode("ab+/=,._-"), "ab&#x2b;&#x2f;&#x3d;,._-");
  const sample = "PD94+bWw/IHZl=cnNp b24é";
  assert.equal(decodeEntities(attrEncode(sample)), sample);
  assert.equal(jsEscape("00ab-cd_x"), "00ab\\x2Dcd_x");
});

Deno.test("saml: partition of an ARN", () => {
  assert.equal(arnPartition("arn:aws-cn:iam::1:role/x"), "aws-cn");
  assert.equal(arnPartition("nonsense"), "aws");
});

const MOTO = requirePeer("moto_server", "pip install 'moto[server]'");

Deno.test({
  name: "saml: moto_server's AssumeRoleWithSAML accepts a single-role assertion from the builder",
  ignore: MOTO === undefined,
  async fn() {
    const moto = await startMoto(MOTO!);
    try {
      const base = moto.url;
      const role = {
        roleArn: "arn:aws:iam::123456789012:role/Engineer",
        principalArn: "arn:aws:iam::123456789012:saml-provider/Okta",
      };
      const { base64 } = build({ roles: [role], now: Date.now(), sessionDuration: 3600 });
      const res = await fetch(`${base}/`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: new URLSearchParams({
          Action: "AssumeRoleWithSAML",
          Version: "2011-06-15",
          RoleArn: role.roleArn,
          PrincipalArn: role.principalArn,
          SAMLAssertion: base64,
          DurationSeconds: "900",
        }).toString(),
      });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.match(text, /<AccessKeyId>ASIA\w+<\/AccessKeyId>/);
      assert.match(text, /assumed-role\/Engineer\/alice@example\.com/);
    } finally {
      await moto.close();
    }
  },
});
