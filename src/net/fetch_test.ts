import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { createFetch, networkError, redactUrl } from "./fetch.ts";

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
