import assert from "node:assert/strict";
import { OAuthError } from "./oauth.ts";
import { isSignedOut, listAwsAppLinks, nextLink } from "./app_links.ts";
import { startServer, testFetch } from "./test_support.ts";

const here = new URL("https://acme.okta.com/api/v1/users/me/appLinks");

Deno.test("appLinks: next link among self links; other origins are never followed", () => {
  assert.equal(
    nextLink(
      '<https://acme.okta.com/api/v1/users/me/appLinks?limit=2>; rel="self", <https://acme.okta.com/api/v1/users/me/appLinks?after=2&limit=2>; rel="next"',
      here,
    )?.href,
    "https://acme.okta.com/api/v1/users/me/appLinks?after=2&limit=2",
  );
  assert.equal(nextLink('<https://acme.okta.com/x>; rel="self"', here), undefined);
  assert.equal(nextLink('<https://evil.example/x>; rel="next"', here), undefined);
  assert.equal(nextLink(null, here), undefined);
});

Deno.test("appLinks: every page is read and only amazon_aws apps are kept", async () => {
  const pages = [
    [{ appName: "slack", appInstanceId: "0oaS", label: "Slack" }],
    [{
      appName: "amazon_aws",
      appInstanceId: "0oaA",
      label: "AWS Prod",
      linkUrl: "https://x/home/amazon_aws/0oaA/272",
    }],
    [{ appName: "amazon_aws", appInstanceId: "0oaB", label: "AWS Dev" }],
  ];
  const server = await startServer((request, origin) => {
    const page = Number(request.query.get("after") ?? "0");
    const headers = new Headers({ "content-type": "application/json" });
    if (page + 1 < pages.length) {
      headers.set("link", `<${origin.origin}${request.path}?after=${page + 1}>; rel="next"`);
    }
    return new Response(JSON.stringify(pages[page]), { headers });
  });
  try {
    const apps = await listAwsAppLinks({ fetch: testFetch(), baseUrl: server.origin, accessToken: "tok" });
    assert.deepEqual(apps, [
      { id: "0oaA", label: "AWS Prod", linkUrl: "https://x/home/amazon_aws/0oaA/272" },
      { id: "0oaB", label: "AWS Dev" },
    ]);
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[0]!.headers.get("authorization"), "Bearer tok");
  } finally {
    await server.close();
  }
});

Deno.test("appLinks: a missing scope points at okta.users.read.self or okta_aws_fed_app_id", async () => {
  const server = await startServer(() =>
    new Response(JSON.stringify({ errorCode: "E0000006", errorSummary: "You do not have permission" }), {
      status: 403,
      headers: {
        "www-authenticate": 'Bearer error="insufficient_scope", error_description="Missing scope."',
      },
    })
  );
  try {
    await assert.rejects(
      listAwsAppLinks({ fetch: testFetch(), baseUrl: server.origin, accessToken: "tok" }),
      (error: unknown) => {
        assert.ok(error instanceof OAuthError);
        assert.match(error.hint ?? "", /okta\.users\.read\.self/);
        assert.match(error.hint ?? "", /okta_aws_fed_app_id/);
        return true;
      },
    );
  } finally {
    await server.close();
  }
});

Deno.test("appLinks: a Classic login sends the Okta session cookie, and an ended session is told apart", async () => {
  let live = true;
  const server = await startServer(() =>
    live
      ? new Response(JSON.stringify([{ appName: "amazon_aws", appInstanceId: "0oaA", label: "AWS Prod" }]))
      : new Response(JSON.stringify({ errorCode: "E0000005", errorSummary: "Invalid session" }), {
        status: 403,
      })
  );
  try {
    const input = { fetch: testFetch(), baseUrl: server.origin, sessionCookie: "sid-value" };
    assert.deepEqual(await listAwsAppLinks(input), [{ id: "0oaA", label: "AWS Prod" }]);
    assert.equal(server.requests[0]!.headers.get("cookie"), "sid=sid-value");
    assert.equal(server.requests[0]!.headers.get("authorization"), null);
    live = false;
    const error = await listAwsAppLinks(input).catch((e) => e);
    assert.ok(isSignedOut(error), String(error));
    assert.ok(!isSignedOut(new Error("network")));
  } finally {
    await server.close();
  }
});
