import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { createFetch, networkError, redactUrl, requireHttpsUnlessLoopback } from "./fetch.ts";

const url = new URL("https://acme.okta.com/login/sessionCookieRedirect?token=SECRET123&redirectUrl=x");

/** A Rust-style chain as Deno's fetch reports it. */
function fetchFailure(inner: string): Error {
  return new TypeError("fetch failed", {
    cause: new Error(`error sending request for url (${url.href}): ${inner}`),
  });
}

Deno.test("networkError: DNS, TLS, refused, proxy and other failures are one line without the URL", () => {
  const cases: [string, RegExp][] = [
    [
      "client error (Connect): dns error: failed to lookup address information",
      /^cannot resolve "acme\.okta\.com"$/,
    ],
    [
      "client error (Connect): invalid peer certificate: UnknownIssuer",
      /^TLS connection to acme\.okta\.com failed: /,
    ],
    [
      "client error (Connect): tcp connect error: Connection refused (os error 111)",
      /^connection to acme\.okta\.com refused$/,
    ],
    [
      "client error (SendRequest): connection closed before message completed",
      /^request to acme\.okta\.com failed: /,
    ],
  ];
  for (const [inner, message] of cases) {
    const error = networkError(url, fetchFailure(inner));
    assert.ok(error instanceof AppError);
    assert.match(error.message, message);
    assert.ok(!error.message.includes("SECRET123") && !error.message.includes("http"), error.message);
    assert.ok(!error.message.includes("error sending request"), error.message);
  }
});

Deno.test("networkError: with a proxy, failures to reach or pass it name the proxy", () => {
  const tunnel = networkError(url, fetchFailure("client error (Connect): unsuccessful tunnel"), "proxy:3128");
  assert.equal(tunnel.message, "the proxy proxy:3128 refused the tunnel to acme.okta.com");
  assert.match(tunnel.hint ?? "", /NO_PROXY/);
  const refused = networkError(
    url,
    fetchFailure("client error (Connect): tcp connect error: Connection refused (os error 111)"),
    "proxy:3128",
  );
  assert.equal(refused.message, "connection to the proxy proxy:3128 refused (on the way to acme.okta.com)");
  const dns = networkError(
    url,
    fetchFailure("client error (Connect): dns error: lookup address"),
    "proxy:3128",
  );
  assert.match(dns.message, /^cannot resolve the proxy proxy:3128/);
  // A TLS failure through the proxy is still the host's certificate.
  const tls = networkError(url, fetchFailure("invalid peer certificate: UnknownIssuer"), "proxy:3128");
  assert.match(tls.message, /^TLS connection to acme\.okta\.com failed/);
});

Deno.test("createFetch: a slow answer is one AppError naming the host and the timeout", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return new Response(request.url);
  });
  try {
    const fetch = createFetch({ timeoutMs: 100 });
    await assert.rejects(
      fetch(`http://127.0.0.1:${server.addr.port}/`),
      (error: unknown) =>
        error instanceof AppError &&
        error.message === `127.0.0.1:${server.addr.port} did not answer within 100 ms`,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("createFetch: a missing permission is passed on as NotCapable, not worded as a network failure", async () => {
  const fetch = createFetch({
    baseFetch: () => Promise.reject(new Deno.errors.NotCapable('Requires net access to "acme.okta.com:443"')),
  });
  await assert.rejects(fetch("https://acme.okta.com/"), Deno.errors.NotCapable);
});

Deno.test("createFetch: the debug line has no query value", async () => {
  const lines: string[] = [];
  const fetch = createFetch({
    baseFetch: () => Promise.resolve(new Response("ok")),
    debug: (l) => lines.push(l),
  });
  await fetch(url);
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.includes("SECRET123"));
  assert.match(lines[0]!, /token=\*\*\*&redirectUrl=\*\*\* -> 200/);
  assert.equal(redactUrl(new URL("https://u:p@h/")), "https://***@h/");
});

/** A raw server that answers every request with `head` plus part of a body, then stalls or hangs up. */
function partialServer(hangUp: boolean): { url: string; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      await conn.read(new Uint8Array(4096));
      await conn.write(new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"status":'));
      if (hangUp) conn.close();
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${listener.addr.port}/`,
    close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
    },
  };
}

Deno.test("createFetch: a body that stalls past the timeout fails as the same one-line AppError", async () => {
  const server = partialServer(false);
  try {
    const response = await createFetch({ timeoutMs: 300 })(server.url);
    await assert.rejects(
      response.text(),
      (error: unknown) => error instanceof AppError && /did not answer within 300 ms$/.test(error.message),
    );
  } finally {
    server.close();
  }
});

Deno.test("createFetch: a body cut short is an AppError, not a raw stream error", async () => {
  const server = partialServer(true);
  try {
    const response = await createFetch({ timeoutMs: 5000 })(server.url);
    await assert.rejects(
      response.arrayBuffer(),
      (error: unknown) => error instanceof AppError && / broke off its answer$/.test(error.message),
    );
  } finally {
    server.close();
  }
});

Deno.test("createFetch: statuses without a body and redirects pass through unchanged", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/204") return new Response(null, { status: 204 });
    if (path === "/302") return new Response("moved", { status: 302, headers: { location: "/204" } });
    return new Response("hello", { headers: { "x-test": "1" } });
  });
  try {
    const fetch = createFetch();
    const base = `http://127.0.0.1:${server.addr.port}`;
    assert.equal((await fetch(`${base}/204`)).status, 204);
    const moved = await fetch(`${base}/302`, { redirect: "manual" });
    assert.equal(moved.status, 302);
    assert.equal(moved.headers.get("location"), "/204");
    assert.equal(await moved.text(), "moved");
    const ok = await fetch(`${base}/`);
    assert.equal(ok.headers.get("x-test"), "1");
    assert.equal(await ok.text(), "hello");
  } finally {
    await server.shutdown();
  }
});

Deno.test("createFetch: a POST is redirected only within its origin, never to another host or to http", async () => {
  const elsewhere: string[] = [];
  const other = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    elsewhere.push(`${request.method} ${await request.text()}`);
    return new Response("stolen");
  });
  const otherOrigin = `http://127.0.0.1:${other.addr.port}`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/away-307") {
      return new Response(null, { status: 307, headers: { location: `${otherOrigin}/t` } });
    }
    if (path === "/away-303") {
      return new Response(null, { status: 303, headers: { location: `${otherOrigin}/t` } });
    }
    if (path === "/here-307") return new Response(null, { status: 307, headers: { location: "/token" } });
    if (path === "/here-303") return new Response(null, { status: 303, headers: { location: "/token" } });
    return new Response(`${request.method} ${await request.text()}`);
  });
  try {
    const fetch = createFetch();
    const base = `http://127.0.0.1:${server.addr.port}`;
    const post = {
      method: "POST",
      body: "client_secret=s3cret",
      headers: { authorization: "Bearer s3cret" },
    };
    for (const path of ["/away-307", "/away-303"]) {
      await assert.rejects(
        () => fetch(`${base}${path}`, post),
        (error) =>
          error instanceof AppError &&
          error.message ===
            `127.0.0.1:${server.addr.port} redirected a request carrying credentials to ${otherOrigin}; not following it`,
      );
    }
    assert.deepEqual(elsewhere, [], "nothing reached the other origin");
    // Within the origin: 307 keeps the method and body, 303 continues as a GET.
    assert.equal(await (await fetch(`${base}/here-307`, post)).text(), "POST client_secret=s3cret");
    assert.equal(await (await fetch(`${base}/here-303`, post)).text(), "GET ");
    // A GET follows redirects anywhere, as before.
    const moved = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(null, { status: 302, headers: { location: `${otherOrigin}/page` } }),
    );
    try {
      assert.equal(await (await fetch(`http://127.0.0.1:${moved.addr.port}/`)).text(), "stolen");
    } finally {
      await moved.shutdown();
    }
  } finally {
    await server.shutdown();
    await other.shutdown();
  }
});

Deno.test("requireHttpsUnlessLoopback: plain http only to this machine", () => {
  for (
    const value of [
      "http://127.0.0.1:5000",
      "http://localhost:4566",
      "http://[::1]:9",
      "https://sts.example.com",
    ]
  ) {
    requireHttpsUnlessLoopback("AWS_ENDPOINT_URL_STS", value, new URL(value));
  }
  for (const value of ["http://sts.example.com", "http://10.0.0.1:4566", "http://127.0.0.1.example.com"]) {
    assert.throws(
      () => requireHttpsUnlessLoopback("AWS_ENDPOINT_URL_STS", value, new URL(value)),
      (error) =>
        error instanceof AppError &&
        error.message ===
          `invalid AWS_ENDPOINT_URL_STS "${value}": plain http is allowed only to this machine`,
    );
  }
});
