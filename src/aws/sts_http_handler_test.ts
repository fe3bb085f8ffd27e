import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import type { FetchInit } from "../net/fetch.ts";
import {
  describeResponse,
  FetchRequestHandler,
  requestUrl,
  type SmithyHttpRequest,
} from "./sts_http_handler.ts";

const encoder = new TextEncoder();

function request(overrides: Partial<SmithyHttpRequest> = {}): SmithyHttpRequest {
  return {
    method: "POST",
    protocol: "https:",
    hostname: "sts.us-west-2.amazonaws.com",
    path: "/",
    headers: {
      host: "sts.us-west-2.amazonaws.com",
      "content-type": "application/x-www-form-urlencoded",
      "content-length": "43",
      "x-amz-date": "20240501T120000Z",
    },
    body: "Action=GetCallerIdentity&Version=2011-06-15",
    ...overrides,
  };
}

Deno.test("requestUrl joins protocol, host, port, path and an RFC 3986 query", () => {
  assert.equal(requestUrl(request()), "https://sts.us-west-2.amazonaws.com/");
  assert.equal(
    requestUrl(request({
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 4566,
      path: "/sts",
      query: { b: ["1", "two words"], a: "x!'()*+/", flag: null },
    })),
    "http://127.0.0.1:4566/sts?a=x%21%27%28%29%2A%2B%2F&b=1&b=two%20words&flag",
  );
});

Deno.test("the handler sends method, signed headers and body through the given fetch and reads the whole answer", async () => {
  const seen: { url: string; init: FetchInit | undefined }[] = [];
  const handler = new FetchRequestHandler((input, init) => {
    seen.push({ url: String(input), init });
    return Promise.resolve(
      new Response("<GetCallerIdentityResponse><x/></GetCallerIdentityResponse>", {
        status: 200,
        headers: { "content-type": "text/xml", "x-amzn-requestid": "abc" },
      }),
    );
  });
  const { response } = await handler.handle(request());
  assert.equal(seen.length, 1);
  assert.equal(handler.requests, 1);
  const init = seen[0]!.init!;
  assert.equal(seen[0]!.url, "https://sts.us-west-2.amazonaws.com/");
  assert.equal(init.method, "POST");
  assert.equal(init.body, "Action=GetCallerIdentity&Version=2011-06-15");
  const headers = new Headers(init.headers);
  assert.equal(headers.get("x-amz-date"), "20240501T120000Z");
  assert.equal(headers.get("host"), null, "fetch sets Host from the URL");
  assert.equal(headers.get("content-length"), null, "fetch sets Content-Length from the body");
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers["x-amzn-requestid"], "abc");
  assert.ok(response.body instanceof Uint8Array);
  assert.equal(
    new TextDecoder().decode(response.body),
    "<GetCallerIdentityResponse><x/></GetCallerIdentityResponse>",
  );
  assert.deepEqual(handler.last, { status: 200, awsXml: true, requestId: "abc" });
});

Deno.test("a transport failure from the fetch stack is kept for the caller and hidden from the SDK's retry", async () => {
  const failure = new AppError("sts.amazonaws.com did not answer within 30 s", {
    cause: new DOMException("t", "TimeoutError"),
  });
  const handler = new FetchRequestHandler(() => Promise.reject(failure));
  const error = await handler.handle(request()).then(() => undefined, (error: unknown) => error);
  assert.ok(error instanceof Error);
  assert.equal(error.cause, undefined, "no transient cause for the SDK to find");
  assert.equal(handler.transportError, failure);
});

Deno.test("describeResponse recognises AWS XML and reads Code, Message and RequestId", async () => {
  const xml = `<?xml version="1.0"?>\n<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
    <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>a &amp; b &lt;c&gt; &#x41;&#66; &bogus;</Message></Error>
    <RequestId>rid-1</RequestId></ErrorResponse>`;
  assert.deepEqual(await describeResponse(403, encoder.encode(xml), new Headers()), {
    status: 403,
    awsXml: true,
    requestId: "rid-1",
    code: "AccessDenied",
    message: "a & b <c> AB &bogus;",
  });
});

Deno.test("describeResponse tells a proxy's page from an AWS answer", async () => {
  const cases: [string, boolean][] = [
    ["<!DOCTYPE html><html><body>Bad Gateway</body></html>", false],
    ["<html><head></head></html>", false],
    ['{"message":"nope"}', false],
    ["", false],
    ["Service Unavailable", false],
    ["<Response><Errors><Error><Code>X</Code></Error></Errors></Response>", true],
    ["  <AssumeRoleResponse xmlns='x'>", true],
    ["<Error><Code>X</Code></Error>", true],
  ];
  for (const [body, awsXml] of cases) {
    assert.equal((await describeResponse(502, encoder.encode(body), new Headers())).awsXml, awsXml, body);
  }
});
