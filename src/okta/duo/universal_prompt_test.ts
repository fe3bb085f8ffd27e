import assert from "node:assert/strict";
import { type Simulator, startSimulator } from "../../../tests/sim/simulator.ts";
import type { SimFactor } from "../../../tests/sim/state.ts";
import { testUser } from "../../../tests/sim/testing.ts";
import { AppError } from "../../errors.ts";
import { type Factor, primaryAuth } from "../authn.ts";
import { OktaClient } from "../client.ts";
import { parseDuoDevice } from "./choice.ts";
import { runUniversalPrompt } from "./universal_prompt.ts";
import { requireStateToken, verifyCall, verifyHref } from "../factors/handler.ts";
import { errorText, type ScriptedPrompter, scriptedPrompter, testFetch } from "../test_support.ts";
import { type WebPage, WebSession } from "../web_session.ts";

// runUniversalPrompt on its own, against the simulator's Duo (tests/sim/duo_universal.ts): Okta's
// hand-off is followed here as verifyDuoUniversal follows it, then the prompt runs from the landing
// page. The whole factor, Okta's side included, is tested in duo_universal_test.ts.

const FACTOR: SimFactor = {
  id: "clpDUOup00000001",
  factorType: "claims_provider",
  provider: "CUSTOM",
  code: "271828",
  push: { decision: "approve" },
};

interface Landing {
  sim: Simulator;
  session: WebSession;
  landing: WebPage;
  okta: URL;
}

/** Password, the verify call, and Okta's redirect to Duo's frameless page; the simulator stays up. */
async function withLanding(
  factor: Partial<SimFactor>,
  fn: (landed: Landing) => Promise<void>,
): Promise<void> {
  const sim = await startSimulator({ users: [testUser({}, [{ ...FACTOR, ...factor }])] });
  try {
    const okta = new URL(sim.url);
    const client = new OktaClient({ baseUrl: okta, fetch: testFetch(), retryDelayMs: 1 });
    const transaction = await primaryAuth(client, { username: "bob@example.com", password: "hunter2" });
    const offered = transaction._embedded?.factors?.[0] as Factor;
    const challenge = (await verifyCall(client, verifyHref(offered), {
      stateToken: requireStateToken(transaction),
    })).body;
    assert.equal(challenge.status, "MFA_CHALLENGE");
    const session = new WebSession({ fetch: testFetch(), label: "Duo's Universal Prompt" });
    session.trust(okta, client.jar);
    let duo = false;
    const landing = await session.request(client.resolve(challenge._links!.next!.href!), {
      step: "hand-off from Okta",
      adopt: () => duo ? false : (duo = true),
    });
    assert.notEqual(landing.url.origin, okta.origin, "the hand-off left Okta for Duo");
    await fn({ sim, session, landing, okta });
  } finally {
    await sim.close();
  }
}

function run(landed: Landing, prompter: ScriptedPrompter = scriptedPrompter(), device?: string) {
  return runUniversalPrompt({
    session: landed.session,
    landing: landed.landing,
    choice: parseDuoDevice(device),
    context: { prompter, pollIntervalMs: 1 },
  });
}

/** Duo's session id of the landing page: it must appear in no message. */
function sidOf(landed: Landing): string {
  return landed.landing.url.searchParams.get("sid")!;
}

Deno.test("runUniversalPrompt: an approved push ends at Okta's callback with Duo's code", async () => {
  await withLanding({ push: { decision: "approve", afterPolls: 1 } }, async (landed) => {
    const prompter = scriptedPrompter();
    const back = await run(landed, prompter);
    assert.equal(back.origin, landed.okta.origin);
    assert.equal(back.pathname, "/oauth2/v1/authorize/callback");
    assert.ok(back.searchParams.get("code"), "Duo's authorization code for Okta");
    assert.equal(landed.sim.count("duo:push"), 1);
    assert.equal(landed.sim.count("POST /frame/v4/status"), 2, "pending once, then approved");
    assert.equal(prompter.said.length, 1, prompter.said.join("\n"));
    assert.ok(!prompter.said[0]!.includes(sidOf(landed)));
  });
});

Deno.test("runUniversalPrompt: a landing page without Duo's session id is refused before any request", async () => {
  await withLanding({}, async (landed) => {
    const url = new URL(landed.landing.url);
    url.searchParams.delete("sid");
    const before = landed.sim.state.requests.length;
    await assert.rejects(
      run({ ...landed, landing: { ...landed.landing, url } }),
      (error) => {
        assert.ok(error instanceof AppError);
        assert.equal(
          error.message,
          "Duo's Universal Prompt answered the plugin form with a page without a session",
        );
        return true;
      },
    );
    assert.equal(landed.sim.state.requests.length, before);
  });
});

Deno.test("runUniversalPrompt: a plugin form posting to another host is refused, nothing is sent there", async () => {
  await withLanding({}, async (landed) => {
    // Duo's form posts back to its own page (no action); this one names another host.
    const body = landed.landing.body.replace(
      /<form (?=[^>]*id="plugin_form")/,
      '<form action="https://elsewhere.example/collect" ',
    );
    assert.notEqual(body, landed.landing.body, "the landing page has the plugin form");
    await assert.rejects(run({ ...landed, landing: { ...landed.landing, body } }), (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(
        error.message,
        `Duo's Universal Prompt answered the plugin form with a link to another host "elsewhere.example"`,
      );
      return true;
    });
    assert.equal(landed.sim.count("POST /frame/frameless/v4/auth"), 0);
  });
});

Deno.test("runUniversalPrompt: Duo's refusal of the method start shows Duo's message and points at the device flag", async () => {
  await withLanding({}, async (landed) => {
    landed.sim.state.faults.push({
      match: "POST /frame/v4/prompt",
      times: 1,
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({ stat: "FAIL", message: "This device is not\nenrolled.", message_enum: 57 }),
    });
    await assert.rejects(run(landed), (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.message, "Duo refused the method start: This device is not enrolled.");
      assert.match(error.hint ?? "", /--mfa-duo-device/);
      assert.ok(!errorText(error).includes(sidOf(landed)), "no Duo session id in the error");
      return true;
    });
    assert.equal(landed.sim.count("duo:push"), 0);
  });
});

Deno.test("runUniversalPrompt: a proxy's page instead of Duo's JSON, and a failing prompt page, name their step", async () => {
  await withLanding({}, async (landed) => {
    landed.sim.state.faults.push({
      match: "POST /frame/v4/status",
      times: 1,
      status: 200,
      contentType: "text/html",
      body: "<html><body>Access denied by policy</body></html>",
    });
    await assert.rejects(run(landed), (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(
        error.message,
        "Duo's Universal Prompt answered the status check with an answer that is not Duo's JSON",
      );
      assert.match(error.hint ?? "", /okta_auth_flow = device/);
      return true;
    });
  });
  await withLanding({}, async (landed) => {
    landed.sim.state.faults.push({ match: "GET /frame/v4/auth/prompt", times: 1, status: 503 });
    await assert.rejects(run(landed), (error) => {
      assert.ok(error instanceof AppError);
      assert.match(error.message, /^Duo's Universal Prompt answered the prompt page with HTTP 503/);
      assert.match(error.hint ?? "", /Duo or a proxy in between is failing/);
      return true;
    });
    assert.equal(landed.sim.count("duo:push"), 0);
  });
});

Deno.test("runUniversalPrompt: an unknown phone names the phones Duo offers; no push is sent", async () => {
  await withLanding({ duo: { devices: ["phone1", "phone2"] } }, async (landed) => {
    await assert.rejects(run(landed, scriptedPrompter(), "phone7"), (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(
        error.message,
        'Duo offers no device "phone7" for this login (offered: "phone1", "phone2")',
      );
      return true;
    });
    assert.equal(landed.sim.count("duo:push"), 0);
  });
});
