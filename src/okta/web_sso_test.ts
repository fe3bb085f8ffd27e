import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { redeemWebSsoToken } from "./web_sso.ts";
import { fixture, startServer, testFetch } from "./test_support.ts";

Deno.test("web SSO: POST token= answers the SAML form page", async () => {
  const page = await fixture("saml_page.html");
  const server = await startServer(() => new Response(page, { headers: { "content-type": "text/html" } }));
  try {
    const saml = await redeemWebSsoToken({
      fetch: testFetch(),
      baseUrl: server.origin,
      token: "tok",
      appId: "0oaA",
    });
    assert.ok(saml.length > 100);
    const request = server.requests[0]!;
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/login/token/sso");
    assert.equal(request.body, "token=tok");
    assert.equal(request.query.size, 0, "the token is not in the URL");
  } finally {
    await server.close();
  }
});

Deno.test("web SSO: a 405 to POST falls back to GET with the token in the query", async () => {
  const page = await fixture("saml_page.html");
  const server = await startServer((request) =>
    request.method === "POST"
      ? new Response("Method Not Allowed", { status: 405 })
      : new Response(page, { headers: { "content-type": "text/html" } })
  );
  try {
    await redeemWebSsoToken({ fetch: testFetch(), baseUrl: server.origin, token: "tok", appId: "0oaA" });
    assert.deepEqual(server.requests.map((r) => r.method), ["POST", "GET"]);
    assert.equal(server.requests[1]!.query.get("token"), "tok");
  } finally {
    await server.close();
  }
});

Deno.test("web SSO: an error page without SAML says the token was used or the app is not assigned", async () => {
  const page = await fixture("error_403.html");
  const server = await startServer(() =>
    new Response(page, { status: 403, headers: { "content-type": "text/html" } })
  );
  try {
    await assert.rejects(
      redeemWebSsoToken({ fetch: testFetch(), baseUrl: server.origin, token: "tok", appId: "0oaA" }),
      (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.match(error.message, /web SSO token for app "0oaA" without a SAML response \(HTTP 403\)/);
        assert.match(error.hint ?? "", /check that the AWS app is assigned/);
        return true;
      },
    );
  } finally {
    await server.close();
  }
});
