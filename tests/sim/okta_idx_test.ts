import assert from "node:assert/strict";
import { DEMO_CLIENT_ID, DEMO_M2M_CLIENT_ID, idx } from "./idx_state.ts";
import { signSimJwt } from "./jwt.ts";
import type { Simulator } from "./simulator.ts";
import { withSim } from "./testing.ts";

async function form(sim: Simulator, path: string, fields: Record<string, string>) {
  const res = await fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    body: text.startsWith("{") ? JSON.parse(text) : undefined,
    headers: res.headers,
  };
}

const DEVICE = "urn:ietf:params:oauth:grant-type:device_code";

async function deviceTokens(sim: Simulator) {
  const auth = await form(sim, "/oauth2/v1/device/authorize", {
    client_id: DEMO_CLIENT_ID,
    scope: "openid okta.apps.sso okta.users.read.self offline_access",
  });
  const poll = () =>
    form(sim, "/oauth2/v1/token", {
      client_id: DEMO_CLIENT_ID,
      device_code: auth.body.device_code,
      grant_type: DEVICE,
    });
  assert.equal((await poll()).body.error, "authorization_pending");
  const done = await poll();
  assert.equal(done.status, 200);
  return { auth, tokens: done.body, poll };
}

Deno.test("sim idx: device codes go pending → approved once; reuse, JSON bodies and unknown clients are refused", async () => {
  await withSim({}, async (sim) => {
    const { auth, tokens, poll } = await deviceTokens(sim);
    assert.match(auth.body.verification_uri_complete, /\/activate\?user_code=[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(auth.body.interval, 5);
    assert.ok(tokens.access_token && tokens.id_token && tokens.refresh_token);
    assert.equal((await poll()).body.error, "invalid_grant", "a device code works once");

    const json = await fetch(`${sim.url}/oauth2/v1/token`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    assert.equal((await json.json()).error, "invalid_request");
    const unknown = await form(sim, "/oauth2/v1/device/authorize", { client_id: "nope", scope: "openid" });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error, "invalid_client");
  });
});

Deno.test("sim idx: refresh tokens rotate; the old one is spent", async () => {
  await withSim({}, async (sim) => {
    const { tokens } = await deviceTokens(sim);
    const refresh = (token: string) =>
      form(sim, "/oauth2/v1/token", {
        client_id: DEMO_CLIENT_ID,
        grant_type: "refresh_token",
        refresh_token: token,
      });
    const first = await refresh(tokens.refresh_token);
    assert.equal(first.status, 200);
    assert.notEqual(first.body.refresh_token, tokens.refresh_token);
    assert.equal((await refresh(tokens.refresh_token)).body.error, "invalid_grant");
  });
});

Deno.test("sim idx: token exchange → single-use web SSO token → the SAML form page (POST, and GET)", async () => {
  await withSim({}, async (sim) => {
    const { tokens } = await deviceTokens(sim);
    const exchange = (audience: string) =>
      form(sim, "/oauth2/v1/token", {
        client_id: DEMO_CLIENT_ID,
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        actor_token: tokens.access_token,
        actor_token_type: "urn:ietf:params:oauth:token-type:access_token",
        subject_token: tokens.id_token,
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: "urn:okta:oauth:token-type:web_sso_token",
        audience,
      });
    const answer = await exchange("urn:okta:apps:0oa1abcdEFGH2345");
    assert.equal(answer.body.issued_token_type, "urn:okta:oauth:token-type:web_sso_token");
    const page = await form(sim, "/login/token/sso", { token: answer.body.access_token });
    assert.equal(page.status, 200);
    assert.match(page.text, /name="SAMLResponse"/);
    const reused = await form(sim, "/login/token/sso", { token: answer.body.access_token });
    assert.equal(reused.status, 403);
    assert.doesNotMatch(reused.text, /SAMLResponse/);

    const viaGet = await exchange("urn:okta:apps:0oa1abcdEFGH2345");
    idx(sim.state).ssoPost = false;
    assert.equal((await form(sim, "/login/token/sso", { token: viaGet.body.access_token })).status, 405);
    const got = await fetch(`${sim.url}/login/token/sso?token=${viaGet.body.access_token}`);
    assert.match(await got.text(), /name="SAMLResponse"/);

    assert.equal((await exchange("urn:okta:apps:0oaNotAssigned")).body.error, "invalid_target");
    idx(sim.state).policyErrors.set("0oa1abcdEFGH2345", "assurance");
    assert.match(
      (await exchange("urn:okta:apps:0oa1abcdEFGH2345")).body.error_description,
      /assurance requirements/,
    );
    idx(sim.state).revokeAll();
    assert.match(
      (await exchange("urn:okta:apps:0oa1abcdEFGH2345")).body.error_description,
      /session associated/,
    );
  });
});

Deno.test("sim idx: appLinks needs a live token with okta.users.read.self, and pages with Link", async () => {
  await withSim({}, async (sim) => {
    const { tokens } = await deviceTokens(sim);
    idx(sim.state).appLinksPageSize = 2;
    const first = await fetch(`${sim.url}/api/v1/users/me/appLinks`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal((await first.json()).length, 2);
    assert.match(first.headers.get("link") ?? "", /rel="next"/);
    const denied = await fetch(`${sim.url}/api/v1/users/me/appLinks`, {
      headers: { authorization: "Bearer nope" },
    });
    assert.equal(denied.status, 401);
    assert.match(denied.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    await denied.body?.cancel();
  });
});

Deno.test("sim idx: STS AssumeRoleWithWebIdentity takes only unexpired JWTs the simulator issued", async () => {
  await withSim({}, async (sim) => {
    const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    idx(sim.state).clients.push({
      clientId: DEMO_M2M_CLIENT_ID,
      publicJwk: await crypto.subtle.exportKey("jwk", keys.publicKey),
    });
    const b64 = (value: unknown) =>
      btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const input = `${b64({ alg: "ES256" })}.${
      b64({
        iss: DEMO_M2M_CLIENT_ID,
        sub: DEMO_M2M_CLIENT_ID,
        aud: `${sim.url}/oauth2/default/v1/token`,
        exp: Math.floor(Date.now() / 1000) + 300,
        jti: crypto.randomUUID(),
      })
    }`;
    const signature = await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      keys.privateKey,
      new TextEncoder().encode(input),
    );
    const assertion = `${input}.${
      btoa(String.fromCharCode(...new Uint8Array(signature))).replace(/\+/g, "-").replace(/\//g, "_").replace(
        /=+$/,
        "",
      )
    }`;
    const token = await form(sim, "/oauth2/default/v1/token", {
      grant_type: "client_credentials",
      scope: "okta-m2m-access",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    });
    assert.equal(token.status, 200, token.text);
    const replay = await form(sim, "/oauth2/default/v1/token", {
      grant_type: "client_credentials",
      scope: "okta-m2m-access",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    });
    assert.match(replay.body.error_description, /already used/);

    const assume = (webIdentityToken: string) =>
      form(sim, "/", {
        Action: "AssumeRoleWithWebIdentity",
        Version: "2011-06-15",
        RoleArn: "arn:aws:iam::123456789012:role/Deployer",
        RoleSessionName: "ci",
        WebIdentityToken: webIdentityToken,
      });
    const ok = await assume(token.body.access_token);
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.text, new RegExp(`<SubjectFromWebIdentityToken>${DEMO_M2M_CLIENT_ID}<`));
    // A token signed with another key, even with the same claims, is refused.
    const forged = await signSimJwt(
      ((await crypto.subtle.generateKey(
        {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        },
        false,
        ["sign", "verify"],
      )) as CryptoKeyPair).privateKey,
      JSON.parse(atob(token.body.access_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))),
    );
    assert.match((await assume(forged)).text, /InvalidIdentityToken/);
    sim.advanceClock(2 * 3600 * 1000);
    assert.match((await assume(token.body.access_token)).text, /ExpiredTokenException/);
  });
});
