import assert from "node:assert/strict";
import { type JsonAnswer, postJson, testUser, withSim } from "./testing.ts";
import type { SimFactor } from "./state.ts";
import type { Simulator } from "./simulator.ts";

const PUSH: SimFactor = {
  id: "opfPUSH000000001",
  factorType: "push",
  provider: "OKTA",
  push: { decision: "approve" },
};
const TOTP: SimFactor = {
  id: "ostTOTP000000001",
  factorType: "token:software:totp",
  provider: "GOOGLE",
  code: "123456",
};
const YUBI: SimFactor = {
  id: "ykfYUBI000000001",
  factorType: "token:hardware",
  provider: "YUBICO",
  code: "ccccyubiotp",
};
const RSA: SimFactor = { id: "rsaTOKEN00000001", factorType: "token", provider: "RSA", code: "87654321" };
const SMS: SimFactor = { id: "smsSMS0000000001", factorType: "sms", provider: "OKTA", code: "246810" };
const CALL: SimFactor = { id: "clfCALL000000001", factorType: "call", provider: "OKTA", code: "13579" };
const EMAIL: SimFactor = { id: "emfEMAIL00000001", factorType: "email", provider: "OKTA", code: "555111" };
const QUESTION: SimFactor = {
  id: "ufsQUESTION00001",
  factorType: "question",
  provider: "OKTA",
  code: "broccoli",
};

/** Starts a login and returns the MFA_REQUIRED answer and the verify URL of one factor. */
async function mfa(
  sim: Simulator,
  factorId: string,
): Promise<{ stateToken: string; href: string; r: JsonAnswer }> {
  const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
  assert.equal(r.body.status, "MFA_REQUIRED");
  const factor = r.body._embedded.factors.find((f: { id: string }) => f.id === factorId);
  return { stateToken: r.body.stateToken, href: factor._links.verify.href, r };
}

function withFactors(factors: SimFactor[], fn: (sim: Simulator) => Promise<void>) {
  return withSim({ users: [testUser({}, factors)] }, fn);
}

Deno.test("push approve: WAITING with poll/resend links, then SUCCESS; one push sent", async () => {
  await withFactors([PUSH], async (sim) => {
    const { stateToken, href } = await mfa(sim, PUSH.id);
    const sent = await postJson(`${href}?autoPush=true&rememberDevice=true`, { stateToken });
    assert.equal(sent.body.status, "MFA_CHALLENGE");
    assert.equal(sent.body.factorResult, "WAITING");
    assert.equal(sent.body._links.next.name, "poll");
    assert.equal(sent.body._links.next.href, href);
    assert.equal(sent.body._links.resend[0].href, `${href}/resend`);
    assert.equal(sent.body._links.prev.href, `${sim.url}/api/v1/authn/previous`);
    assert.equal(sent.body._embedded.factor.id, PUSH.id);
    assert.equal(sent.body._embedded.factor._embedded, undefined);
    assert.equal(sim.count("push:sent"), 1);

    const polled = await postJson(sent.body._links.next.href, { stateToken });
    assert.equal(polled.body.status, "SUCCESS");
    assert.ok(polled.body.sessionToken);
    assert.equal(sim.count("push:sent"), 1);
    assert.equal(sim.count("POST /api/v1/authn/factors/:id/verify"), 2);
  });
});

Deno.test("push: afterPolls keeps WAITING for that many polls; number challenge shows correctAnswer", async () => {
  const slow: SimFactor = { ...PUSH, push: { decision: "approve", afterPolls: 2, correctAnswer: 42 } };
  await withFactors([slow], async (sim) => {
    const { stateToken, href } = await mfa(sim, PUSH.id);
    const sent = await postJson(href, { stateToken });
    assert.equal(sent.body._embedded.factor._embedded.challenge.correctAnswer, 42);
    for (let i = 0; i < 2; i++) {
      const waiting = await postJson(href, { stateToken });
      assert.equal(waiting.body.factorResult, "WAITING");
      assert.equal(waiting.body._embedded.factor._embedded.challenge.correctAnswer, 42);
    }
    assert.equal((await postJson(href, { stateToken })).body.status, "SUCCESS");
  });
});

Deno.test("push reject: REJECTED stays MFA_CHALLENGE and is terminal until resend", async () => {
  await withFactors([{ ...PUSH, push: { decision: "reject" } }], async (sim) => {
    const { stateToken, href } = await mfa(sim, PUSH.id);
    await postJson(href, { stateToken });
    const rejected = await postJson(href, { stateToken });
    assert.equal(rejected.body.status, "MFA_CHALLENGE");
    assert.equal(rejected.body.factorResult, "REJECTED");
    assert.equal((await postJson(href, { stateToken })).body.factorResult, "REJECTED");

    // A new push after the user changes their mind.
    sim.state.users[0]!.factors[0]!.push = { decision: "approve" };
    const resent = await postJson(`${href}/resend`, { stateToken });
    assert.equal(resent.body.factorResult, "WAITING");
    assert.equal(sim.count("push:sent"), 2);
    assert.equal((await postJson(href, { stateToken })).body.status, "SUCCESS");
  });
});

Deno.test("push timeout: TIMEOUT result", async () => {
  await withFactors([{ ...PUSH, push: { decision: "timeout" } }], async (sim) => {
    const { stateToken, href } = await mfa(sim, PUSH.id);
    await postJson(href, { stateToken });
    const timedOut = await postJson(href, { stateToken });
    assert.equal(timedOut.body.status, "MFA_CHALLENGE");
    assert.equal(timedOut.body.factorResult, "TIMEOUT");
  });
});

Deno.test("push manual: WAITING until the control API decides", async () => {
  await withFactors([{ ...PUSH, push: { decision: "manual" } }], async (sim) => {
    const { stateToken, href } = await mfa(sim, PUSH.id);
    await postJson(href, { stateToken });
    for (let i = 0; i < 3; i++) {
      assert.equal((await postJson(href, { stateToken })).body.factorResult, "WAITING");
    }
    const decided = await postJson(`${sim.url}/__sim/push/reject`, {});
    assert.deepEqual(decided.body, { decided: 1 });
    assert.equal((await postJson(href, { stateToken })).body.factorResult, "REJECTED");

    const bad = await postJson(`${sim.url}/__sim/push/maybe`, {});
    assert.equal(bad.status, 400);

    const second = await mfa(sim, PUSH.id);
    await postJson(second.href, { stateToken: second.stateToken });
    assert.equal(sim.decidePush("approve", "someone-else@example.com"), 0);
    assert.equal(sim.decidePush("approve", "bob@example.com"), 1);
    assert.equal((await postJson(second.href, { stateToken: second.stateToken })).body.status, "SUCCESS");
  });
});

for (const factor of [TOTP, YUBI, RSA]) {
  Deno.test(`${factor.factorType}: right code SUCCESS; wrong code 403 E0000068 and the transaction stays usable`, async () => {
    await withFactors([factor], async (sim) => {
      const { stateToken, href } = await mfa(sim, factor.id);
      const wrong = await postJson(href, { stateToken, passCode: "000000" });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.body.errorCode, "E0000068");
      assert.equal(wrong.body.errorSummary, "Invalid Passcode/Answer");
      assert.equal(wrong.body.errorCauses.length, 1);
      const right = await postJson(href, { stateToken, passCode: factor.code });
      assert.equal(right.body.status, "SUCCESS");
      assert.ok(right.body.sessionToken);
      // SUCCESS ends the transaction.
      assert.equal((await postJson(href, { stateToken, passCode: factor.code })).body.errorCode, "E0000011");
    });
  });
}

Deno.test("wrong codes: the 5th in a row is 403 E0000069 and locks the user", async () => {
  await withFactors([TOTP], async (sim) => {
    const { stateToken, href } = await mfa(sim, TOTP.id);
    for (let i = 1; i <= 4; i++) {
      assert.equal((await postJson(href, { stateToken, passCode: "000000" })).body.errorCode, "E0000068");
    }
    const locked = await postJson(href, { stateToken, passCode: "000000" });
    assert.equal(locked.status, 403);
    assert.equal(locked.body.errorCode, "E0000069");
    assert.equal(locked.body.errorSummary, "User Locked");
    const again = await postJson(`${sim.url}/api/v1/authn`, {
      username: "bob@example.com",
      password: "hunter2",
    });
    assert.equal(again.body.status, "LOCKED_OUT");
    sim.reset();
    assert.equal((await mfa(sim, TOTP.id)).r.body.status, "MFA_REQUIRED");
  });
});

Deno.test("wrong codes: a success resets the count; the limit is configurable", async () => {
  await withSim({ users: [testUser({}, [TOTP])], settings: { maxFactorFailures: 2 } }, async (sim) => {
    const a = await mfa(sim, TOTP.id);
    assert.equal(
      (await postJson(a.href, { stateToken: a.stateToken, passCode: "1" })).body.errorCode,
      "E0000068",
    );
    assert.equal(
      (await postJson(a.href, { stateToken: a.stateToken, passCode: TOTP.code })).body.status,
      "SUCCESS",
    );
    const b = await mfa(sim, TOTP.id);
    assert.equal(
      (await postJson(b.href, { stateToken: b.stateToken, passCode: "1" })).body.errorCode,
      "E0000068",
    );
    assert.equal(
      (await postJson(b.href, { stateToken: b.stateToken, passCode: "1" })).body.errorCode,
      "E0000069",
    );
  });
});

for (const factor of [SMS, CALL, EMAIL]) {
  Deno.test(`${factor.factorType}: first verify sends the code (next: verify), second verifies it`, async () => {
    await withFactors([factor], async (sim) => {
      const { stateToken, href } = await mfa(sim, factor.id);
      const sent = await postJson(href, { stateToken });
      assert.equal(sent.body.status, "MFA_CHALLENGE");
      assert.equal(sent.body.factorResult, "CHALLENGE");
      assert.equal(sent.body._links.next.name, "verify");
      assert.equal(sent.body._links.resend[0].name, factor.factorType);
      assert.equal(sim.count(`${factor.factorType}:sent`), 1);
      const wrong = await postJson(href, { stateToken, passCode: "999" });
      assert.equal(wrong.body.errorCode, "E0000068");
      const ok = await postJson(href, { stateToken, passCode: factor.code });
      assert.equal(ok.body.status, "SUCCESS");
    });
  });
}

Deno.test("sms: profile masks the number; a code before any send is wrong", async () => {
  await withFactors([SMS], async (sim) => {
    const { stateToken, href, r } = await mfa(sim, SMS.id);
    assert.equal(r.body._embedded.factors[0].profile.phoneNumber, "+1 XXX-XXX-4321");
    assert.equal((await postJson(href, { stateToken, passCode: SMS.code })).body.errorCode, "E0000068");
  });
});

Deno.test("sms resend: too soon is 429 E0000109; after the interval it sends again", async () => {
  await withFactors([SMS], async (sim) => {
    const { stateToken, href } = await mfa(sim, SMS.id);
    await postJson(href, { stateToken });
    const soon = await postJson(`${href}/resend`, { stateToken });
    assert.equal(soon.status, 429);
    assert.equal(soon.body.errorCode, "E0000109");
    sim.advanceClock(31_000);
    const later = await postJson(`${href}/resend`, { stateToken });
    assert.equal(later.body.status, "MFA_CHALLENGE");
    assert.equal(sim.count("sms:sent"), 2);
    assert.equal(sim.count("POST /api/v1/authn/factors/:id/verify/resend"), 2);
  });
});

Deno.test("email resend has no minimum interval; resend before a challenge is 403 E0000079", async () => {
  await withFactors([EMAIL], async (sim) => {
    const { stateToken, href } = await mfa(sim, EMAIL.id);
    assert.equal((await postJson(`${href}/resend`, { stateToken })).body.errorCode, "E0000079");
    await postJson(href, { stateToken });
    assert.equal((await postJson(`${href}/resend`, { stateToken })).body.status, "MFA_CHALLENGE");
    assert.equal(sim.count("email:sent"), 2);
  });
});

Deno.test("question: answer verifies; a wrong answer is E0000068", async () => {
  await withFactors([QUESTION], async (sim) => {
    const { stateToken, href, r } = await mfa(sim, QUESTION.id);
    assert.ok(r.body._embedded.factors[0].profile.questionText);
    const wrong = await postJson(href, { stateToken, answer: "cake" });
    assert.equal(wrong.body.errorCode, "E0000068");
    assert.match(wrong.body.errorCauses[0].errorSummary, /answer/);
    assert.equal((await postJson(href, { stateToken, answer: "broccoli" })).body.status, "SUCCESS");
  });
});

Deno.test("verify errors: bad stateToken 401 E0000011; unknown factor 404 E0000007", async () => {
  await withFactors([TOTP], async (sim) => {
    const { stateToken, href } = await mfa(sim, TOTP.id);
    const bad = await postJson(href, { stateToken: "00bogus", passCode: "123456" });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.errorCode, "E0000011");
    const unknown = await postJson(`${sim.url}/api/v1/authn/factors/nope123/verify`, {
      stateToken,
      passCode: "1",
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.errorCode, "E0000007");
    assert.equal(unknown.body.errorSummary, "Not found: Resource not found: nope123 (UserFactor)");
    assert.equal(sim.count("POST /api/v1/authn/factors/:id/verify"), 2);
  });
});

Deno.test("previous: from MFA_CHALLENGE back to MFA_REQUIRED, then another factor", async () => {
  await withFactors([PUSH, TOTP], async (sim) => {
    const { stateToken, href } = await mfa(sim, PUSH.id);
    await postJson(href, { stateToken });
    const back = await postJson(`${sim.url}/api/v1/authn/previous`, { stateToken });
    assert.equal(back.body.status, "MFA_REQUIRED");
    const totpHref = back.body._embedded.factors[1]._links.verify.href;
    assert.equal((await postJson(totpHref, { stateToken, passCode: "123456" })).body.status, "SUCCESS");
  });
});

Deno.test("web, u2f and webauthn are answered by the Duo and WebAuthn endpoint groups", async () => {
  const duo: SimFactor = { id: "dsfDUO0000000001", factorType: "web", provider: "DUO" };
  await withFactors([duo], async (sim) => {
    const { stateToken, href } = await mfa(sim, duo.id);
    const r = await postJson(href, { stateToken });
    assert.equal(r.body.status, "MFA_CHALLENGE");
    assert.match(r.body._embedded.factor._embedded.verification.signature, /^TX\|.*:APP\|/);
  });
});
