import assert from "node:assert/strict";
import { getPage, Jar, postJson, testUser, withSim } from "./testing.ts";
import type { SimFactor } from "./state.ts";

const TOTP: SimFactor = {
  id: "ostTOTP000000001",
  factorType: "token:software:totp",
  provider: "GOOGLE",
  code: "123456",
};

Deno.test("authn: no factors answers SUCCESS with a one-time sessionToken and no stateToken", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "SUCCESS");
    assert.match(r.body.sessionToken, /^20111\w+$/);
    assert.equal(r.body.stateToken, undefined);
    assert.match(r.body.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(r.body._embedded.user.profile.login, "bob@example.com");
    assert.equal(r.headers.get("x-rate-limit-limit"), "600");
    assert.equal(sim.count("POST /api/v1/authn"), 1);
  });
});

Deno.test("authn: login is case-insensitive", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "BOB@example.com", password: "hunter2" });
    assert.equal(r.body.status, "SUCCESS");
  });
});

Deno.test("authn: MFA_REQUIRED lists full factor objects with absolute verify links from the Host", async () => {
  await withSim({ users: [testUser({}, [TOTP])] }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
    assert.equal(r.body.status, "MFA_REQUIRED");
    assert.match(r.body.stateToken, /^00[\w-]+$/);
    const [factor] = r.body._embedded.factors;
    assert.deepEqual(factor, {
      id: TOTP.id,
      factorType: "token:software:totp",
      provider: "GOOGLE",
      vendorName: "GOOGLE",
      profile: { credentialId: "bob@example.com" },
      _links: {
        verify: { href: `${sim.url}/api/v1/authn/factors/${TOTP.id}/verify`, hints: { allow: ["POST"] } },
      },
    });
    assert.equal(r.body._embedded.policy.allowRememberDevice, true);
    assert.equal(r.body._links.cancel.href, `${sim.url}/api/v1/authn/cancel`);
    // The Host header, not the listening address, decides the links.
    const viaLocalhost = sim.url.replace("127.0.0.1", "localhost");
    const r2 = await postJson(`${viaLocalhost}/api/v1/authn`, {
      username: "bob@example.com",
      password: "hunter2",
    });
    assert.ok(r2.body._embedded.factors[0]._links.verify.href.startsWith(`${viaLocalhost}/api/v1/`));
  });
});

Deno.test("authn: unknown user and wrong password get the same 401 E0000004", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const unknown = await postJson(`${sim.url}/api/v1/authn`, {
      username: "eve@example.com",
      password: "hunter2",
    });
    const wrong = await postJson(`${sim.url}/api/v1/authn`, {
      username: "bob@example.com",
      password: "nope",
    });
    for (const r of [unknown, wrong]) {
      assert.equal(r.status, 401);
      assert.equal(r.body.errorCode, "E0000004");
      assert.equal(r.body.errorSummary, "Authentication failed");
      assert.equal(r.body.errorLink, "E0000004");
      assert.deepEqual(r.body.errorCauses, []);
    }
    const { errorId: _a, ...a } = unknown.body;
    const { errorId: _b, ...b } = wrong.body;
    assert.deepEqual(a, b);
    assert.notEqual(unknown.body.errorId, wrong.body.errorId);
  });
});

Deno.test("authn: missing username is 400 E0000001, bad JSON 400 E0000003, GET 405 E0000022", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const missing = await postJson(`${sim.url}/api/v1/authn`, { password: "hunter2" });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.errorCode, "E0000001");
    assert.equal(missing.body.errorSummary, "Api validation failed: username");
    assert.deepEqual(missing.body.errorCauses, [{
      errorSummary: "username: The field cannot be left blank",
    }]);

    const bad = await postJson(`${sim.url}/api/v1/authn`, "{not json");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorCode, "E0000003");

    const res = await fetch(`${sim.url}/api/v1/authn`);
    assert.equal(res.status, 405);
    assert.equal((await res.json()).errorCode, "E0000022");
    assert.equal(sim.count("GET /api/v1/authn"), 1);
  });
});

Deno.test("authn: LOCKED_OUT has an unlock link and no stateToken; hidden lockouts answer E0000004", async () => {
  await withSim({ users: [testUser({ status: "LOCKED_OUT" })] }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "LOCKED_OUT");
    assert.equal(r.body.stateToken, undefined);
    assert.equal(r.body._links.next.name, "unlock");
    assert.equal(r.body._links.next.href, `${sim.url}/api/v1/authn/recovery/unlock`);

    sim.state.settings.hideLockout = true;
    const hidden = await postJson(`${sim.url}/api/v1/authn`, {
      username: "bob@example.com",
      password: "hunter2",
    });
    assert.equal(hidden.status, 401);
    assert.equal(hidden.body.errorCode, "E0000004");
  });
});

Deno.test("authn: PASSWORD_EXPIRED carries the complexity policy and a changePassword link", async () => {
  await withSim({ users: [testUser({ status: "PASSWORD_EXPIRED" })] }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
    assert.equal(r.body.status, "PASSWORD_EXPIRED");
    assert.ok(r.body.stateToken);
    assert.equal(r.body._embedded.policy.complexity.minLength, 8);
    assert.equal(r.body._links.next.name, "changePassword");
    assert.equal(r.body._links.next.href, `${sim.url}/api/v1/authn/credentials/change_password`);
  });
});

Deno.test("authn: PASSWORD_WARN skip continues to MFA_REQUIRED (or SUCCESS without factors)", async () => {
  await withSim({
    users: [
      testUser({ status: "PASSWORD_WARN" }, [TOTP]),
      testUser({ login: "carol@example.com", id: "00uCAROL", status: "PASSWORD_WARN" }),
    ],
  }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
    assert.equal(r.body.status, "PASSWORD_WARN");
    assert.equal(r.body._links.skip.href, `${sim.url}/api/v1/authn/skip`);
    const skipped = await postJson(r.body._links.skip.href, { stateToken: r.body.stateToken });
    assert.equal(skipped.body.status, "MFA_REQUIRED");
    assert.notEqual(skipped.body.stateToken, r.body.stateToken);
    // The warned transaction is used up.
    const again = await postJson(r.body._links.skip.href, { stateToken: r.body.stateToken });
    assert.equal(again.status, 401);
    assert.equal(again.body.errorCode, "E0000011");

    const carol = await postJson(`${sim.url}/api/v1/authn`, {
      username: "carol@example.com",
      password: "hunter2",
    });
    const done = await postJson(carol.body._links.skip.href, { stateToken: carol.body.stateToken });
    assert.equal(done.body.status, "SUCCESS");
    assert.ok(done.body.sessionToken);
  });
});

Deno.test("authn: skip outside PASSWORD_WARN is 403 E0000079", async () => {
  await withSim({ users: [testUser({}, [TOTP])] }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
    const skipped = await postJson(`${sim.url}/api/v1/authn/skip`, { stateToken: r.body.stateToken });
    assert.equal(skipped.status, 403);
    assert.equal(skipped.body.errorCode, "E0000079");
  });
});

Deno.test("authn: MFA_ENROLL lists enrollable factors", async () => {
  await withSim({ users: [testUser({ status: "MFA_ENROLL" })] }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
    assert.equal(r.body.status, "MFA_ENROLL");
    assert.ok(r.body.stateToken);
    const types = r.body._embedded.factors.map((f: { factorType: string }) => f.factorType);
    assert.ok(types.includes("token:software:totp"));
    assert.equal(r.body._embedded.factors[0].status, "NOT_SETUP");
  });
});

Deno.test("authn: {stateToken} alone returns the current state; unknown or expired tokens are 401 E0000011", async () => {
  await withSim({ users: [testUser({}, [TOTP])] }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
    const resumed = await postJson(`${sim.url}/api/v1/authn`, { stateToken: r.body.stateToken });
    assert.equal(resumed.body.status, "MFA_REQUIRED");
    assert.equal(resumed.body.stateToken, r.body.stateToken);

    const unknown = await postJson(`${sim.url}/api/v1/authn`, { stateToken: "00nope" });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.errorCode, "E0000011");
    assert.equal(unknown.body.errorSummary, "Invalid token provided");

    sim.advanceClock(5 * 60 * 1000 + 1);
    const expired = await postJson(`${sim.url}/api/v1/authn`, { stateToken: r.body.stateToken });
    assert.equal(expired.status, 401);
  });
});

Deno.test("authn: cancel revokes the stateToken", async () => {
  await withSim({ users: [testUser({}, [TOTP])] }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
    const cancelled = await postJson(r.body._links.cancel.href, { stateToken: r.body.stateToken });
    assert.equal(cancelled.status, 200);
    const after = await postJson(`${sim.url}/api/v1/authn`, { stateToken: r.body.stateToken });
    assert.equal(after.body.errorCode, "E0000011");
    const twice = await postJson(r.body._links.cancel.href, { stateToken: r.body.stateToken });
    assert.equal(twice.status, 401);
  });
});

Deno.test("authn: rememberDevice with the DT cookie skips MFA next time; without the policy it does not", async () => {
  await withSim({ users: [testUser({}, [TOTP])] }, async (sim) => {
    const jar = new Jar();
    // Any Okta HTML page hands out DT when the client has none.
    await getPage(`${sim.url}/login/login.htm`, jar);
    assert.ok(jar.cookies.get("DT"));

    const login = () =>
      postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" }, jar);
    const first = await login();
    assert.equal(first.body.status, "MFA_REQUIRED");
    const href = `${first.body._embedded.factors[0]._links.verify.href}?rememberDevice=true`;
    const ok = await postJson(href, { stateToken: first.body.stateToken, passCode: "123456" }, jar);
    assert.equal(ok.body.status, "SUCCESS");

    const second = await login();
    assert.equal(second.body.status, "SUCCESS");

    // A different device (no DT) still needs MFA.
    const other = await postJson(`${sim.url}/api/v1/authn`, {
      username: "bob@example.com",
      password: "hunter2",
    });
    assert.equal(other.body.status, "MFA_REQUIRED");

    // context.deviceToken works like the cookie.
    const viaContext = await postJson(`${sim.url}/api/v1/authn`, {
      username: "bob@example.com",
      password: "hunter2",
      context: { deviceToken: jar.cookies.get("DT") },
    });
    assert.equal(viaContext.body.status, "SUCCESS");

    // The remembered device expires with the policy lifetime.
    sim.advanceClock(16 * 60 * 1000);
    assert.equal((await login()).body.status, "MFA_REQUIRED");
  });
});

Deno.test("authn: rememberDevice is ignored when the policy disallows it", async () => {
  await withSim({ users: [testUser({}, [TOTP])], policy: { allowRememberDevice: false } }, async (sim) => {
    const jar = new Jar();
    await getPage(`${sim.url}/login/login.htm`, jar);
    const login = () =>
      postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" }, jar);
    const first = await login();
    assert.equal(first.body._embedded.policy.allowRememberDevice, false);
    const href = `${first.body._embedded.factors[0]._links.verify.href}?rememberDevice=true`;
    await postJson(href, { stateToken: first.body.stateToken, passCode: "123456" }, jar);
    assert.equal((await login()).body.status, "MFA_REQUIRED");
  });
});
