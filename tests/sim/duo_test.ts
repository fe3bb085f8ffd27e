import assert from "node:assert/strict";
import { decideDuo } from "./duo.ts";
import type { Simulator } from "./simulator.ts";
import type { SimFactor } from "./state.ts";
import { postJson, testUser, withSim } from "./testing.ts";

const DUO: SimFactor = { id: "dsfDUO0000000001", factorType: "web", provider: "DUO", code: "424242" };

async function form(url: string, fields: Record<string, string>): Promise<Response> {
  return await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

async function formJson(url: string, fields: Record<string, string>) {
  // deno-lint-ignore no-explicit-any
  return await (await form(url, fields)).json() as any;
}

/** MFA_REQUIRED → verify (Duo data) → frame session; returns what the next steps need. */
async function start(sim: Simulator) {
  const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
  const href = r.body._embedded.factors[0]._links.verify.href;
  const c = await postJson(href, { stateToken: r.body.stateToken });
  const verification = c.body._embedded.factor._embedded.verification;
  const [tx, app] = verification.signature.split(":");
  const auth = await form(
    `http://${verification.host}/frame/web/v1/auth?tx=${encodeURIComponent(tx)}&parent=x&v=2.6`,
    {},
  );
  assert.equal(auth.status, 302);
  const sid = new URL(auth.headers.get("location")!, sim.url).searchParams.get("sid")!;
  return { href, stateToken: c.body.stateToken as string, verification, app, sid, c };
}

Deno.test("duo: Okta's challenge carries host, TX|…:APP|…, script and complete links", async () => {
  await withSim({ users: [testUser({}, [DUO])] }, async (sim) => {
    const { c, verification } = await start(sim);
    assert.equal(c.body.factorResult, "WAITING");
    assert.equal(c.body._links.next.name, "poll");
    assert.equal(verification.host, new URL(sim.url).host);
    assert.match(verification._links.script.href, /Duo-Web-v2\.6\.js$/);
    assert.equal(
      verification._links.complete.href,
      `${sim.url}/api/v1/authn/factors/${DUO.id}/lifecycle/duoCallback`,
    );
    const unknown = await form(`${sim.url}/frame/web/v1/auth?tx=TX|nope&parent=x&v=2.6`, {});
    assert.equal(unknown.status, 400);
    await unknown.body?.cancel();
  });
});

Deno.test("duo: manual push decided by decideDuo; the cookie is issued once; callback checks it", async () => {
  const manual: SimFactor = { ...DUO, push: { decision: "manual" } };
  await withSim({ users: [testUser({}, [manual])] }, async (sim) => {
    const { href, stateToken, verification, app, sid } = await start(sim);
    const bad = await formJson(`${sim.url}/frame/prompt`, {
      sid: "nope",
      device: "phone1",
      factor: "Duo Push",
    });
    assert.equal(bad.stat, "FAIL");
    const { response: { txid } } = await formJson(`${sim.url}/frame/prompt`, {
      sid,
      device: "phone1",
      factor: "Duo Push",
    });
    assert.equal(sim.count("duo:push"), 1);
    const waiting = await formJson(`${sim.url}/frame/status`, { sid, txid });
    assert.equal(waiting.response.status_code, "pushed");
    // Okta keeps answering WAITING until the callback arrives.
    assert.equal((await postJson(href, { stateToken })).body.factorResult, "WAITING");
    const early = await form(verification._links.complete.href, {
      id: DUO.id,
      stateToken,
      sig_response: `AUTH|forged:${app}`,
    });
    assert.equal(early.status, 403);
    await early.body?.cancel();

    assert.equal(decideDuo(sim.state, "approve"), 1);
    const allowed = await formJson(`${sim.url}/frame/status`, { sid, txid });
    assert.equal(allowed.response.result, "SUCCESS");
    const result = await formJson(`${sim.url}${allowed.response.result_url}`, { sid });
    const cookie = result.response.cookie as string;
    assert.match(cookie, /^AUTH\|/);
    assert.equal((await formJson(`${sim.url}${allowed.response.result_url}`, { sid })).stat, "FAIL");

    const wrongApp = await form(verification._links.complete.href, {
      id: DUO.id,
      stateToken,
      sig_response: `${cookie}:APP|other`,
    });
    assert.equal(wrongApp.status, 403);
    await wrongApp.body?.cancel();
    const ok = await form(verification._links.complete.href, {
      id: DUO.id,
      stateToken,
      sig_response: `${cookie}:${app}`,
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    assert.equal(sim.count("duo:callback"), 1);
    assert.equal((await postJson(href, { stateToken })).body.status, "SUCCESS");
  });
});

Deno.test("duo: passcodes are checked at once; tokens cannot be pushed; unknown devices fail", async () => {
  await withSim(
    { users: [testUser({}, [{ ...DUO, duo: { devices: ["phone1", "token"] } }])] },
    async (sim) => {
      const { sid } = await start(sim);
      const prompt = (fields: Record<string, string>) =>
        formJson(`${sim.url}/frame/prompt`, { sid, ...fields });
      const status = async (txid: string) =>
        (await formJson(`${sim.url}/frame/status`, { sid, txid })).response;
      const wrong = await prompt({ device: "token", factor: "Passcode", passcode: "000000" });
      assert.equal((await status(wrong.response.txid)).status_code, "deny");
      const right = await prompt({ device: "token", factor: "Passcode", passcode: "424242" });
      assert.equal((await status(right.response.txid)).status_code, "allow");
      assert.equal((await prompt({ device: "token", factor: "Duo Push" })).stat, "FAIL");
      assert.match(
        (await prompt({ device: "phone2", factor: "Duo Push" })).message,
        /Unknown device: phone2/,
      );
    },
  );
});

Deno.test("duo: the Universal Prompt variant redirects the frame auth to frameless v4", async () => {
  await withSim({ users: [testUser({}, [{ ...DUO, duo: { universalPrompt: true } }])] }, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, { username: "bob@example.com", password: "hunter2" });
    const c = await postJson(r.body._embedded.factors[0]._links.verify.href, {
      stateToken: r.body.stateToken,
    });
    const [tx] = c.body._embedded.factor._embedded.verification.signature.split(":");
    const auth = await form(`${sim.url}/frame/web/v1/auth?tx=${encodeURIComponent(tx)}&parent=x&v=2.6`, {});
    assert.equal(auth.status, 302);
    assert.match(auth.headers.get("location") ?? "", /^\/frame\/frameless\/v4\/auth\?/);
  });
});
