import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { createFetch } from "../net/fetch.ts";
import { OktaApiError, OktaClient } from "./client.ts";
import { jsonResponse, startServer, testFetch } from "./test_support.ts";

function client(origin: URL, fetch = testFetch()): OktaClient {
  return new OktaClient({ baseUrl: origin, fetch, retryDelayMs: 1 });
}

Deno.test("OktaClient.postJson: JSON headers, cookies out, Set-Cookie in", async () => {
  const server = await startServer(() =>
    new Response('{"status":"SUCCESS"}', {
      headers: { "content-type": "application/json", "set-cookie": "DT=new-dt; Max-Age=3600; Path=/" },
    })
  );
  try {
    const okta = client(server.origin);
    okta.jar.set("DT", "old-dt");
    const result = await okta.postJson<{ status: string }>("/api/v1/authn", { username: "alice" });
    assert.equal(result.body.status, "SUCCESS");
    const [request] = server.requests;
    assert.ok(request);
    assert.equal(request.method, "POST");
    assert.equal(request.headers.get("accept"), "application/json");
    assert.equal(request.headers.get("content-type"), "application/json");
    assert.equal(request.headers.get("cache-control"), "no-cache");
    assert.equal(request.headers.get("cookie"), "DT=old-dt");
    assert.deepEqual(request.body, { username: "alice" });
    assert.equal(okta.jar.get("DT"), "new-dt");
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient: Okta error bodies become OktaApiError without the query", async () => {
  const server = await startServer((_request, origin) => jsonResponse("error_E0000068.json", origin, 403));
  try {
    const error = await client(server.origin).postJson(
      "/api/v1/authn/factors/f1/verify?rememberDevice=true",
      {},
    )
      .then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof OktaApiError);
    assert.equal(error.errorCode, "E0000068");
    assert.equal(error.errorSummary, "Invalid Passcode/Answer");
    assert.equal(error.status, 403);
    assert.equal(
      error.message,
      'Okta refused POST "/api/v1/authn/factors/f1/verify": Invalid Passcode/Answer (E0000068)',
    );
    assert.ok(!error.message.includes("rememberDevice"));
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient: non-JSON error bodies name the status and the path, never the query", async () => {
  const server = await startServer(() =>
    new Response("<html><body>Bad gateway</body></html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    })
  );
  try {
    const error = await client(server.origin).postJson("/api/v1/authn?token=SECRET-QUERY", {})
      .then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof AppError);
    assert.ok(!(error instanceof OktaApiError));
    assert.equal(error.message, 'Okta answered POST "/api/v1/authn" with HTTP 502');
    assert.ok(!`${error.message} ${error.hint}`.includes("SECRET-QUERY"));
    // POSTs are not idempotent: no retry.
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient: a 2xx answer that is not JSON is an AppError", async () => {
  const server = await startServer(() => new Response("<html>proxy login</html>", { status: 200 }));
  try {
    await assert.rejects(client(server.origin).getJson("/api/v1/sessions/me"), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.match(error.message, /HTTP 200 but no JSON/);
      return true;
    });
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient: 429 E0000047 says when to retry", async () => {
  // An hour ahead, so that a slow machine cannot push the answer past the window.
  const reset = Math.floor(Date.now() / 1000) + 3600;
  const server = await startServer((_request, origin) =>
    jsonResponse("error_E0000047.json", origin, 429, {
      "x-rate-limit-limit": "600",
      "x-rate-limit-remaining": "0",
      "x-rate-limit-reset": String(reset),
    })
  );
  try {
    await assert.rejects(client(server.origin).postJson("/api/v1/authn", {}), (error: unknown) => {
      assert.ok(error instanceof OktaApiError);
      assert.equal(error.errorCode, "E0000047");
      assert.equal(error.message, `Okta's rate limit was exceeded for "/api/v1/authn"`);
      const seconds = Number(/^try again in (\d+) s$/.exec(error.hint ?? "")?.[1]);
      assert.ok(seconds > 3000 && seconds <= 3600, error.hint);
      return true;
    });
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient.getJson: retries once on 5xx, then succeeds", async () => {
  let calls = 0;
  const server = await startServer(() =>
    ++calls === 1 ? new Response("oops", { status: 503 }) : Response.json({ status: "ACTIVE" })
  );
  try {
    const result = await client(server.origin).getJson<{ status: string }>("/api/v1/sessions/me");
    assert.equal(result.body.status, "ACTIVE");
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient.getJson: retries only once", async () => {
  const server = await startServer(() => new Response("down", { status: 500 }));
  try {
    await assert.rejects(client(server.origin).getJson("/api/v1/sessions/me"), /HTTP 500/);
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient.getHtml: retries once after a network failure", async () => {
  const server = await startServer(() => new Response("<html>ok</html>"));
  try {
    let failures = 0;
    const flaky = createFetch({
      baseFetch: (input, init) => {
        if (failures++ === 0) return Promise.reject(new TypeError("connection reset"));
        return fetch(input, init);
      },
    });
    const page = await client(server.origin, flaky).getHtml("/home/amazon_aws/0oa1/272");
    assert.equal(page.status, 200);
    assert.equal(page.body, "<html>ok</html>");
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient.getHtml: retry: false makes one request only", async () => {
  const server = await startServer(() => new Response("<html>err</html>", { status: 500 }));
  try {
    const page = await client(server.origin).getHtml("/app?onetimetoken=t", { retry: false });
    assert.equal(page.status, 500);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient.getHtml: follows redirects by hand, with cookies in and out on every hop", async () => {
  const other = await startServer((request) =>
    new Response(`<html>other ${request.headers.get("cookie") ?? "no cookie"}</html>`)
  );
  const server = await startServer((request, origin) => {
    switch (request.path) {
      case "/start":
        return new Response(null, {
          status: 302,
          headers: { location: "/second", "set-cookie": "sid=s1; Path=/; HttpOnly" },
        });
      case "/second":
        return new Response(null, {
          status: 301,
          headers: { location: `${origin.origin}/third`, "set-cookie": "DT=d1; Max-Age=100; Path=/" },
        });
      case "/third":
        return new Response(null, { status: 303, headers: { location: `${other.origin.origin}/elsewhere` } });
      default:
        return new Response("not found", { status: 404 });
    }
  });
  try {
    const okta = client(server.origin);
    const page = await okta.getHtml("/start");
    assert.equal(page.status, 200);
    assert.equal(page.url.href, `${other.origin.origin}/elsewhere`);
    assert.equal(page.body, "<html>other no cookie</html>");
    assert.deepEqual(server.requests.map((request) => request.headers.get("cookie")), [
      null,
      "sid=s1",
      "sid=s1; DT=d1",
    ]);
    assert.equal(okta.jar.get("sid"), "s1");
    assert.equal(okta.jar.get("DT"), "d1");
  } finally {
    await server.close();
    await other.close();
  }
});

Deno.test("OktaClient.getHtml: followRedirects: false returns the 3xx", async () => {
  const server = await startServer(() =>
    new Response(null, { status: 302, headers: { location: "/next", "set-cookie": "sid=s2" } })
  );
  try {
    const okta = client(server.origin);
    const page = await okta.getHtml("/login/sessionCookieRedirect?token=t", { followRedirects: false });
    assert.equal(page.status, 302);
    assert.equal(okta.jar.get("sid"), "s2");
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient.getHtml: stops after 10 redirects", async () => {
  const server = await startServer((request) =>
    new Response(null, { status: 302, headers: { location: `/loop/${request.path.length}` } })
  );
  try {
    await assert.rejects(client(server.origin).getHtml("/loop?secret=1"), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.match(error.message, /^Okta redirected more than 10 times for "\/loop\//);
      assert.ok(!error.message.includes("secret"));
      return true;
    });
    assert.equal(server.requests.length, 11);
  } finally {
    await server.close();
  }
});

Deno.test("OktaClient.resolve: relative paths join the org; links to other hosts are refused", () => {
  const okta = client(new URL("https://acme.okta.com"));
  assert.equal(
    okta.resolve("home/amazon_aws/0oa1/272").href,
    "https://acme.okta.com/home/amazon_aws/0oa1/272",
  );
  assert.equal(okta.resolve("/api/v1/authn").href, "https://acme.okta.com/api/v1/authn");
  assert.equal(
    okta.resolve("https://acme.okta.com/api/v1/authn/factors/x/verify").href,
    "https://acme.okta.com/api/v1/authn/factors/x/verify",
  );
  assert.throws(
    () => okta.resolve("https://evil.example.com/api/v1/authn"),
    /another host "evil.example.com"/,
  );
  assert.throws(() => okta.resolve("http://acme.okta.com/api/v1/authn"), AppError);
});
