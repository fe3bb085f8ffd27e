import assert from "node:assert/strict";
import { CookieJar } from "./cookie_jar.ts";

const ORIGIN = new URL("https://acme.okta.com");

function setCookies(...lines: string[]): Headers {
  const headers = new Headers();
  for (const line of lines) headers.append("set-cookie", line);
  return headers;
}

Deno.test("CookieJar: stores Set-Cookie values and renders the Cookie header", () => {
  const jar = new CookieJar(ORIGIN);
  assert.equal(jar.toHeader(), "");
  jar.storeFrom(
    new URL("https://acme.okta.com/login"),
    setCookies(
      "sid=102abc; Path=/; Secure; HttpOnly",
      'DT="dt-value"; Max-Age=157680000; Path=/; Secure; SameSite=None',
      "JSESSIONID=J1; Path=/; HttpOnly",
    ),
  );
  assert.equal(jar.get("sid"), "102abc");
  assert.equal(jar.get("DT"), "dt-value");
  assert.equal(jar.toHeader(), "sid=102abc; DT=dt-value; JSESSIONID=J1");
});

Deno.test("CookieJar: Max-Age=0, negative Max-Age and past Expires delete", () => {
  const jar = new CookieJar(ORIGIN);
  jar.set("sid", "a");
  jar.set("DT", "b");
  jar.set("x", "c");
  jar.storeFrom(
    ORIGIN,
    setCookies(
      "sid=; Max-Age=0; Path=/",
      "DT=deleted; Expires=Thu, 01 Jan 1970 00:00:10 GMT; Path=/",
      "x=gone; Max-Age=-1",
    ),
  );
  assert.equal(jar.get("sid"), undefined);
  assert.equal(jar.get("DT"), undefined);
  assert.equal(jar.get("x"), undefined);
  assert.equal(jar.toHeader(), "");
});

Deno.test("CookieJar: Max-Age wins over Expires, and cookies expire with the clock", () => {
  let now = Date.parse("2024-05-01T12:00:00Z");
  const jar = new CookieJar(ORIGIN, () => now);
  jar.storeFrom(ORIGIN, setCookies("sid=s1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:10 GMT"));
  jar.storeFrom(ORIGIN, setCookies("t=t1; Expires=Wed, 01 May 2024 12:30:00 GMT"));
  assert.equal(jar.get("sid"), "s1");
  assert.equal(jar.get("t"), "t1");
  now += 61_000;
  assert.equal(jar.get("sid"), undefined);
  assert.equal(jar.get("t"), "t1");
  now += 30 * 60_000;
  assert.equal(jar.toHeader(), "");
});

Deno.test("CookieJar: ignores other origins and foreign Domain attributes", () => {
  const jar = new CookieJar(ORIGIN);
  jar.storeFrom(new URL("https://evil.example.com/"), setCookies("sid=stolen"));
  jar.storeFrom(new URL("http://acme.okta.com/"), setCookies("sid=plain"));
  jar.storeFrom(
    ORIGIN,
    setCookies("a=1; Domain=example.com", "b=2; Domain=.okta.com", "c=3; Domain=acme.okta.com"),
  );
  assert.equal(jar.get("sid"), undefined);
  assert.equal(jar.get("a"), undefined);
  assert.equal(jar.get("b"), "2");
  assert.equal(jar.get("c"), "3");
  assert.equal(jar.appliesTo(new URL("https://acme.okta.com/x")), true);
  assert.equal(jar.appliesTo(new URL("https://acme.okta.com:444/x")), false);
});

Deno.test("CookieJar: set, replace and delete by name; malformed lines are skipped", () => {
  const jar = new CookieJar(ORIGIN);
  jar.set("sid", "one");
  jar.storeFrom(ORIGIN, setCookies("sid=two; Path=/", "novalue", "=nameless", "eq=a=b"));
  assert.equal(jar.get("sid"), "two");
  assert.equal(jar.get("eq"), "a=b");
  assert.deepEqual(jar.names(), ["sid", "eq"]);
  jar.delete("sid");
  assert.equal(jar.toHeader(), "eq=a=b");
});
