import assert from "node:assert/strict";
import { proxyFor } from "./proxy_env.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("proxyFor: HTTPS_PROXY for https, HTTP_PROXY for http, ALL_PROXY for both, lower case too", () => {
  const vars = env({ HTTPS_PROXY: "http://user:secret@proxy.corp:3128", http_proxy: "proxy2:8080" });
  assert.equal(proxyFor(new URL("https://acme.okta.com/x"), vars), "proxy.corp:3128");
  assert.equal(proxyFor(new URL("http://127.0.0.1:9/x"), vars), "proxy2:8080");
  assert.equal(proxyFor(new URL("https://a.example"), env({ ALL_PROXY: "http://all:1" })), "all:1");
  assert.equal(proxyFor(new URL("https://a.example"), env({})), undefined);
  assert.equal(proxyFor(new URL("https://a.example"), env({ HTTPS_PROXY: " " })), undefined);
});

Deno.test("proxyFor never returns the proxy's credentials", () => {
  const proxy = proxyFor(new URL("https://a.example"), env({ HTTPS_PROXY: "http://me:hunter2@p:1" }));
  assert.equal(proxy, "p:1");
});

Deno.test("proxyFor: NO_PROXY hosts, suffixes, wildcards and ports go direct", () => {
  const vars = (noProxy: string) => env({ HTTPS_PROXY: "http://p:1", NO_PROXY: noProxy });
  const acme = new URL("https://acme.okta.com/");
  assert.equal(proxyFor(acme, vars("*")), undefined);
  assert.equal(proxyFor(acme, vars("okta.com")), undefined);
  assert.equal(proxyFor(acme, vars(".okta.com")), undefined);
  assert.equal(proxyFor(acme, vars("*.okta.com")), undefined);
  assert.equal(proxyFor(acme, vars("localhost, acme.okta.com:443")), undefined);
  assert.equal(proxyFor(acme, vars("acme.okta.com:8443")), "p:1");
  assert.equal(proxyFor(acme, vars("notokta.com,example.com")), "p:1");
  assert.equal(proxyFor(new URL("https://[::1]:9/"), vars("[::1]")), undefined);
});
