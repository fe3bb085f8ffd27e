import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { domainFor, oktaBaseUrl } from "./domain.ts";

Deno.test("oktaBaseUrl: a bare domain becomes its https origin", () => {
  assert.equal(oktaBaseUrl("acme.okta.com").href, "https://acme.okta.com/");
  assert.equal(oktaBaseUrl("  ACME.Okta.com  ").href, "https://acme.okta.com/");
});

Deno.test("oktaBaseUrl: paths, trailing slashes, queries and userinfo are dropped; ports kept", () => {
  assert.equal(oktaBaseUrl("acme.okta.com/").href, "https://acme.okta.com/");
  assert.equal(oktaBaseUrl("https://acme.okta.com/app/UserHome?x=1#y").href, "https://acme.okta.com/");
  assert.equal(oktaBaseUrl("https://acme.okta.com:8443/").href, "https://acme.okta.com:8443/");
  assert.equal(oktaBaseUrl("acme.okta.com:8443/login").href, "https://acme.okta.com:8443/");
  assert.equal(oktaBaseUrl("https://user:pw@acme.okta.com/").href, "https://acme.okta.com/");
});

Deno.test("oktaBaseUrl: strips -admin from the org label only", () => {
  assert.equal(oktaBaseUrl("acme-admin.okta.com").href, "https://acme.okta.com/");
  assert.equal(oktaBaseUrl("https://acme-admin.oktapreview.com/").href, "https://acme.oktapreview.com/");
  assert.equal(oktaBaseUrl("login.acme-admin.example.com").href, "https://login.acme-admin.example.com/");
});

Deno.test("oktaBaseUrl: plain HTTP only for loopback hosts", () => {
  assert.equal(oktaBaseUrl("http://127.0.0.1:8080/x").href, "http://127.0.0.1:8080/");
  assert.equal(oktaBaseUrl("http://localhost:9000").href, "http://localhost:9000/");
  assert.equal(oktaBaseUrl("http://[::1]:9000").href, "http://[::1]:9000/");
  assert.throws(() => oktaBaseUrl("http://x"), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.message, 'refusing plain-HTTP Okta domain "http://x": use https');
    return true;
  });
  assert.throws(() => oktaBaseUrl("http://acme.okta.com"), AppError);
  assert.throws(() => oktaBaseUrl("http://127.0.0.1.example.com"), AppError);
});

Deno.test("oktaBaseUrl: rejects empty, non-https schemes, bare org names and garbage", () => {
  for (const bad of ["", "   ", "ftp://acme.okta.com", "acme", "https://", "acme okta.com", "https://[bad"]) {
    assert.throws(() => oktaBaseUrl(bad), AppError, bad);
  }
});

Deno.test("domainFor: maps aws-okta's regions", () => {
  assert.equal(domainFor("acme", "us"), "acme.okta.com");
  assert.equal(domainFor("acme", "emea"), "acme.okta-emea.com");
  assert.equal(domainFor(" Acme ", "preview"), "acme.oktapreview.com");
  assert.throws(() => domainFor("acme.okta.com", "us"), AppError);
  assert.throws(() => domainFor("", "us"), AppError);
  assert.throws(() => domainFor("-acme", "us"), AppError);
});
