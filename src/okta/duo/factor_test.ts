import assert from "node:assert/strict";
import { startSimulator } from "../../../tests/sim/simulator.ts";
import type { SimFactor } from "../../../tests/sim/state.ts";
import { AppError } from "../../errors.ts";
import { type AuthnResponse, type Factor, primaryAuth } from "../authn.ts";
import { OktaClient } from "../client.ts";
import { DuoUniversalPromptError } from "./frame.ts";
import { duoVerification } from "./factor.ts";
import type { FactorContext } from "../factors/handler.ts";
import { verifyFactor } from "../factors/verify.ts";
import { errorText, type ScriptedPrompter, scriptedPrompter, testFetch } from "../test_support.ts";

const LOGIN = "dana@example.com";
const PASSWORD = "duo password";

interface DuoRun {
  answer?: AuthnResponse;
  error?: unknown;
  prompter: ScriptedPrompter;
  counts: Record<string, number>;
  stateToken: string;
  debug: string[];
}

/**
 * Logs in to a fresh simulator whose user has one Duo factor, verifies it with `context`, and
 * returns what happened (the answer or the error, what was said, the simulator's counts).
 */
async function runDuo(
  duoFactor: Partial<SimFactor>,
  context: Partial<FactorContext> & { prompter?: ScriptedPrompter } = {},
): Promise<DuoRun> {
  const factor: SimFactor = { id: "dsfDUO0000000001", factorType: "web", provider: "DUO", ...duoFactor };
  const sim = await startSimulator({
    users: [{ login: LOGIN, password: PASSWORD, id: "00uDUO0000000001", factors: [factor], apps: [] }],
  });
  try {
    const client = new OktaClient({ baseUrl: new URL(sim.url), fetch: testFetch(), retryDelayMs: 1 });
    const transaction = await primaryAuth(client, { username: LOGIN, password: PASSWORD });
    assert.equal(transaction.status, "MFA_REQUIRED");
    const offered = transaction._embedded?.factors?.[0] as Factor;
    const prompter = context.prompter ?? scriptedPrompter();
    const debug: string[] = [];
    const run: DuoRun = { prompter, counts: {}, stateToken: transaction.stateToken ?? "", debug };
    try {
      run.answer = await verifyFactor(client, transaction, offered, {
        fetch: testFetch(),
        pollIntervalMs: 1,
        debug: (line) => debug.push(line),
        ...context,
        prompter,
      });
    } catch (error) {
      run.error = error;
    }
    run.counts = sim.counts();
    return run;
  } finally {
    await sim.close();
  }
}

Deno.test("Duo Push: approved after a few polls, Okta answers SUCCESS; progress on the prompter", async () => {
  const run = await runDuo({ push: { decision: "approve", afterPolls: 3 } });
  assert.equal(run.error, undefined);
  assert.equal(run.answer?.status, "SUCCESS");
  assert.ok(run.answer?.sessionToken);
  assert.deepEqual(run.prompter.said, ["Duo Push sent to phone1; waiting for approval"]);
  assert.equal(run.counts["duo:push"], 1);
  assert.equal(run.counts["POST /frame/status"], 4);
  assert.equal(run.counts["duo:callback"], 1);
  assert.equal(run.counts["POST /frame/web/v1/auth"], 1);
  // The sid, txid and cookie never reach the debug log.
  assert.ok(run.debug.every((line) => !/sid=|AUTH\||TX\|/.test(line)), run.debug.join("\n"));
});

Deno.test("Duo Push denied and timed out are clear errors without secrets", async () => {
  const denied = await runDuo({ push: { decision: "reject" } });
  assert.ok(denied.error instanceof AppError);
  assert.equal(denied.error.message, "Duo Push was denied: User mistake");
  assert.match(denied.error.hint ?? "", /tell your security team/);
  assert.ok(!errorText(denied.error).includes(denied.stateToken));
  assert.equal(denied.counts["duo:callback"], undefined);

  const timedOut = await runDuo({ push: { decision: "timeout", afterPolls: 1 } });
  assert.ok(timedOut.error instanceof AppError);
  assert.equal(timedOut.error.message, "Duo Push timed out");
});

Deno.test("Duo Push: our own deadline ends a push nobody answers", async () => {
  const run = await runDuo({ push: { decision: "manual" } }, { pushTimeoutMs: 30 });
  assert.ok(run.error instanceof AppError);
  assert.equal(run.error.message, "Duo Push was not approved within 30 ms");
});

Deno.test("phone choice: phone2 gets the push; phone1:call rings phone1", async () => {
  const second = await runDuo({ duo: { devices: ["phone2"] } }, { duoDevice: "phone2" });
  assert.equal(second.answer?.status, "SUCCESS", String(second.error));
  assert.deepEqual(second.prompter.said, ["Duo Push sent to phone2; waiting for approval"]);

  const call = await runDuo({ push: { decision: "approve", afterPolls: 1 } }, { duoDevice: "phone1:call" });
  assert.equal(call.answer?.status, "SUCCESS", String(call.error));
  assert.equal(call.counts["duo:call"], 1);
  assert.equal(call.counts["duo:push"], undefined);
  assert.deepEqual(call.prompter.said, [
    "Duo is calling phone1; answer the call and follow its instructions",
  ]);
});

Deno.test("a device Duo does not know is Duo's refusal, named", async () => {
  const run = await runDuo({ duo: { devices: ["phone1"] } }, { duoDevice: "phone3" });
  assert.ok(run.error instanceof AppError);
  assert.equal(run.error.message, "Duo refused the prompt request: Unknown device: phone3");
  assert.match(run.error.hint ?? "", /--mfa-duo-device/);
});

Deno.test("passcodes: asked on the prompter, a wrong one is retried, the right one passes", async () => {
  const prompter = scriptedPrompter({ text: ["000 000", "123456"] });
  const run = await runDuo({ code: "123456" }, { duoDevice: "token", prompter });
  assert.equal(run.answer?.status, "SUCCESS", String(run.error));
  assert.deepEqual(prompter.asked, Array(2).fill("Enter the passcode from your Duo token: "));
  assert.deepEqual(prompter.said, ["Duo rejected the passcode; try again"]);
  assert.equal(run.counts["duo:passcode"], 2);

  const mobile = scriptedPrompter({ text: ["", "1", "2"] });
  const failed = await runDuo({ code: "123456" }, { duoDevice: "phone1:passcode", prompter: mobile });
  assert.ok(failed.error instanceof AppError);
  assert.equal(failed.error.message, "no passcode was accepted by Duo after 3 attempts");
  assert.equal(mobile.asked[0], "Enter a Duo Mobile passcode for phone1: ");
  assert.ok(!errorText(failed.error).includes("123456"));
});

Deno.test("older Duo answers the auth call with a form first; it is posted back once", async () => {
  const run = await runDuo({ duo: { authForm: true } });
  assert.equal(run.answer?.status, "SUCCESS", String(run.error));
  assert.equal(run.counts["POST /frame/web/v1/auth"], 2);
});

Deno.test("Duo's Universal Prompt is detected and explained, pointing at the device flow", async () => {
  const run = await runDuo({ duo: { universalPrompt: true } });
  assert.ok(run.error instanceof DuoUniversalPromptError);
  assert.equal(run.error.message, "Duo moved this login to its Universal Prompt, which needs a browser");
  assert.match(run.error.hint ?? "", /okta_auth_flow = device/);
  assert.equal(run.counts["POST /frame/prompt"], undefined);
});

Deno.test("Duo security keys (u2f) are refused before Okta is asked", async () => {
  const run = await runDuo({}, { duoDevice: "u2f" });
  assert.ok(run.error instanceof AppError);
  assert.match(run.error.message, /^the Duo device "u2f" is not supported/);
  assert.equal(run.counts["POST /api/v1/authn/factors/:id/verify"], undefined);
});

Deno.test("duoVerification reads host, both signature halves, the callback and the SDK version", () => {
  const factor: Factor = { id: "dsf1", factorType: "web", provider: "DUO" };
  const answer = (verification: Record<string, unknown>): AuthnResponse => ({
    status: "MFA_CHALLENGE",
    _embedded: { factor: { ...factor, _embedded: { verification } } },
  });
  const links = {
    script: { href: "https://ok1static.oktacdn.com/assets/js/sdk/duo/Duo-Web-v2.6.js" },
    complete: { href: "https://acme.okta.com/api/v1/authn/factors/dsf1/lifecycle/duoCallback" },
  };
  assert.deepEqual(
    duoVerification(
      answer({ host: "api-1234.duosecurity.com", signature: "TX|a|b:APP|c|d", _links: links }),
      factor,
    ),
    {
      host: "api-1234.duosecurity.com",
      tx: "TX|a|b",
      app: "APP|c|d",
      completeHref: links.complete.href,
      version: "2.6",
    },
  );
  const noScript = { complete: links.complete };
  assert.equal(
    duoVerification(answer({ host: "h", signature: "TX|a:APP|b", _links: noScript }), factor).version,
    "2.1",
  );
  assert.throws(
    () => duoVerification(answer({ host: "h", signature: "garbage", _links: links }), factor),
    /not in the expected TX\|…:APP\|… form/,
  );
  assert.throws(() => duoVerification(answer({ signature: "TX|a:APP|b" }), factor), /has no Duo data/);
});
