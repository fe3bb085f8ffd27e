import assert from "node:assert/strict";
import { parseAppPage, unescapeJs } from "./saml_page.ts";
import { fixture } from "./test_support.ts";

const samlBase64 = (await fixture("saml_response.b64")).trim();

Deno.test("parseAppPage: Okta's SAML form page, with its hex entities decoded", async () => {
  const page = await parseAppPage(await fixture("saml_page.html"), 200);
  assert.deepEqual(page, {
    kind: "saml",
    samlResponse: samlBase64,
    relayState: "",
    action: "https://signin.aws.amazon.com/saml",
  });
});

Deno.test("parseAppPage: uppercase tags and names, single quotes, value first, decimal entities, line breaks", async () => {
  const page = await parseAppPage(await fixture("saml_page_variant.html"), 200);
  assert.deepEqual(page, {
    kind: "saml",
    samlResponse: samlBase64,
    relayState: "https://console.aws.amazon.com/?x=1&y=2",
    action: "https://signin.aws.amazon.com/saml?a=1&b=2",
  });
});

Deno.test("parseAppPage: the reference's escaping example", async () => {
  const html = '<input name="SAMLResponse" type="hidden" ' +
    'value="PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iVVRGLTgiPz48c2FtbDJwOlJlc3Bv&#x2b;bnNl&#x2f;IHhtbG5z&#x3d;&#x3d;"/>';
  const page = await parseAppPage(html, 200);
  assert.deepEqual(page, {
    kind: "saml",
    samlResponse: "PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iVVRGLTgiPz48c2FtbDJwOlJlc3Bv+bnNl/IHhtbG5z==",
  });
});

Deno.test("parseAppPage: unquoted values, named entities, tabs and CRLF inside the value", async () => {
  const html = "<form action=https://signin.aws.amazon.com/saml><input type=hidden NAME=samlresponse " +
    "value='AB\r\n\tCD&#x2B;&#x2F;ef&#61;'></form>";
  const page = await parseAppPage(html, 200);
  assert.deepEqual(page, {
    kind: "saml",
    samlResponse: "ABCD+/ef=",
    action: "https://signin.aws.amazon.com/saml",
  });
});

Deno.test("parseAppPage: SAML wins whatever the status; the first SAMLResponse counts", async () => {
  const html = '<input name="SAMLResponse" value="Zmlyc3Q="><input name="SAMLResponse" value="c2Vjb25k">';
  assert.deepEqual(await parseAppPage(html, 403), { kind: "saml", samlResponse: "Zmlyc3Q=" });
});

Deno.test("parseAppPage: an empty SAMLResponse is not a login", async () => {
  assert.deepEqual(await parseAppPage('<input name="SAMLResponse" value="  ">', 200), { kind: "signin" });
});

Deno.test("parseAppPage: the sign-in page (even with an empty stateToken) is signin", async () => {
  assert.deepEqual(await parseAppPage(await fixture("signin_page.html"), 200), { kind: "signin" });
  assert.deepEqual(await parseAppPage("<html><body>Sign in</body></html>", 200), { kind: "signin" });
});

Deno.test("parseAppPage: the step-up page yields the JS-unescaped stateToken", async () => {
  assert.deepEqual(await parseAppPage(await fixture("stepup_page.html"), 200), {
    kind: "stepup",
    stateToken: "00ab-cd-EF\\gh--step",
  });
});

Deno.test("parseAppPage: stateToken in double quotes, in JSON, and with escaped quotes", async () => {
  const cases: [string, string][] = [
    ['<script>var stateToken = "00xy\\x2Dz";</script>', "00xy-z"],
    ['<script>var data = {"stateToken":"00\\u002Dq\\u{2D}r"};</script>', "00-q-r"],
    ["<script>var stateToken='00a\\'b';</script>", "00a'b"],
    ["<SCRIPT>\n  config.stateToken = '00line';\n</SCRIPT>", "00line"],
  ];
  for (const [html, token] of cases) {
    assert.deepEqual(await parseAppPage(html, 200), { kind: "stepup", stateToken: token }, html);
  }
});

Deno.test("parseAppPage: a stateToken outside scripts is not a step-up", async () => {
  assert.deepEqual(await parseAppPage("<p>stateToken = '00visible'</p>", 200), { kind: "signin" });
});

Deno.test("parseAppPage: error pages keep their status", async () => {
  assert.deepEqual(await parseAppPage(await fixture("error_403.html"), 403), { kind: "error", status: 403 });
  assert.deepEqual(await parseAppPage(await fixture("error_404.html"), 404), { kind: "error", status: 404 });
  assert.deepEqual(await parseAppPage("<h1>Service unavailable</h1>", 503), { kind: "error", status: 503 });
});

Deno.test("unescapeJs: hex, unicode, braces, simple escapes and a lone backslash pair", () => {
  assert.equal(unescapeJs("a\\x2Db\\u002Dc\\u{1F600}d"), "a-b-c\u{1F600}d");
  assert.equal(unescapeJs("\\\\ \\' \\\" \\/ \\n\\t"), "\\ ' \" / \n\t");
  assert.equal(unescapeJs("plain"), "plain");
  assert.equal(unescapeJs("\\u{110000}x"), "x");
});
