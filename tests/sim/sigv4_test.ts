import assert from "node:assert/strict";
import {
  canonicalQuery,
  canonicalRequest,
  parseAuthorization,
  sha256Hex,
  signature,
  signRequest,
} from "./sigv4.ts";

// Vectors computed with botocore's SigV4Auth (an independent implementation); the first is the
// "get-vanilla" case of AWS's SigV4 test suite.
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

Deno.test("sigv4: AWS get-vanilla vector", async () => {
  const canonical = canonicalRequest({
    method: "GET",
    pathname: "/",
    search: "",
    headers: new Headers({ host: "example.amazonaws.com", "x-amz-date": "20150830T123600Z" }),
    signedHeaders: ["host", "x-amz-date"],
    payloadHash: await sha256Hex(""),
  });
  assert.equal(
    canonical,
    "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  const sig = await signature(SECRET, "20150830T123600Z", {
    date: "20150830",
    region: "us-east-1",
    service: "service",
  }, canonical);
  assert.equal(sig, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
});

Deno.test("sigv4: STS POST with query, session token and content-type (botocore vector)", async () => {
  const headers = new Headers({
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    host: "127.0.0.1:8080",
    "x-amz-date": "20150830T123600Z",
    "x-amz-security-token": "SESSIONTOKEN+/=",
  });
  const canonical = canonicalRequest({
    method: "POST",
    pathname: "/",
    search: "?b=2&a=x%20y",
    headers,
    signedHeaders: ["content-type", "host", "x-amz-date", "x-amz-security-token"],
    payloadHash: await sha256Hex("Action=GetCallerIdentity&Version=2011-06-15"),
  });
  assert.ok(
    canonical.startsWith(
      "POST\n/\na=x%20y&b=2\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\n",
    ),
  );
  assert.ok(canonical.endsWith("ab821ae955788b0e33ebd34c208442ccfc2d406e2edc5e7a39bd6458fbb4f843"));
  const sig = await signature(SECRET, "20150830T123600Z", {
    date: "20150830",
    region: "eu-west-1",
    service: "sts",
  }, canonical);
  assert.equal(sig, "a56998e4002b379e1d0f58e596076b73bc6682f4b5df082e19aa5c6aab2f66e1");
});

Deno.test("sigv4: canonical query sorts and re-encodes strictly", () => {
  assert.equal(canonicalQuery("?z=1&a=b%2Fc&a=a&e=%21*"), "a=a&a=b%2Fc&e=%21%2A&z=1");
  assert.equal(canonicalQuery(""), "");
});

Deno.test("sigv4: signRequest output parses and names the signed headers", async () => {
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
  await signRequest({
    method: "POST",
    url: "http://127.0.0.1:9/",
    headers,
    body: "Action=GetCallerIdentity&Version=2011-06-15",
    accessKeyId: "ASIAEXAMPLE",
    secretAccessKey: SECRET,
    sessionToken: "tok",
    region: "us-west-2",
    service: "sts",
    date: new Date("2024-05-01T12:00:00Z"),
  });
  assert.equal(headers.get("x-amz-date"), "20240501T120000Z");
  const auth = parseAuthorization(headers.get("authorization")!);
  assert.ok(typeof auth !== "string");
  assert.equal(auth.accessKeyId, "ASIAEXAMPLE");
  assert.equal(auth.region, "us-west-2");
  assert.deepEqual(auth.signedHeaders, ["content-type", "host", "x-amz-date", "x-amz-security-token"]);
  assert.match(auth.signature, /^[0-9a-f]{64}$/);
});

Deno.test("sigv4: malformed Authorization headers are described", () => {
  assert.match(parseAuthorization("Bearer x") as string, /AWS4-HMAC-SHA256/);
  assert.match(
    parseAuthorization("AWS4-HMAC-SHA256 Credential=a/b/c/sts/aws4_request") as string,
    /'SignedHeaders'.*'Signature'/,
  );
});
