import assert from "node:assert/strict";
import { type Simulator, startSimulator } from "../../../tests/sim/simulator.ts";
import type { SimFactor, SimUser } from "../../../tests/sim/state.ts";
import { AppError } from "../../errors.ts";
import { type AuthnResponse, type Factor, primaryAuth } from "../authn.ts";
import { authenticate, classicLogin } from "../classic_login.ts";
import { OktaClient } from "../client.ts";
import type { FactorContext } from "../factors/handler.ts";
import { verifyFactor } from "../factors/verify.ts";
import { opensSessionCookie } from "../session_answer.ts";
import {
  errorText,
  type ScriptedPrompter,
  scriptedPrompter,
  startServer,
  testFetch,
} from "../test_support.ts";

const LOGIN = "uma@example.com";
const PASSWORD = "universal password";
const APP = "0oa1abcdEFGH2345";
const SAML_URL = `home/amazon_aws/${APP}/272`;
const FACTOR_ID = "clpDUOup00000001";

function user(factor: Partial<SimFactor>, extra: Partial<SimUser> = {}): SimUser {
  return {
    login: LOGIN,
    password: PASSWORD,
    id: "00uUP00000000001",
    factors: [{
      id: FACTOR_ID,
      factorType: "claims_provider",
      provider: "CUSTOM",
      code: "271828",
      ...factor,
    }],
    apps: [{
      id: APP,
      n: "272",
      label: "AWS",
      roles: [{
        roleArn: "arn:aws:iam::123456789012:role/Engineer",
        principalArn: "arn:aws:iam::123456789012:saml-provider/Okta",
      }],
    }],
    ...extra,
  };
}

interface UpRun {
  answer?: AuthnResponse;
  error?: unknown;
  prompter: ScriptedPrompter;
  client: OktaClient;
  sim: Simulator;
  debug: string[];
}

/** Password login, then the claims_provider factor verified with `context`; the simulator stays up. */
async function runUp(
  factor: Partial<SimFactor>,
  context: Partial<FactorContext> & { prompter?: ScriptedPrompter } = {},
  body: (run: UpRun) => void | Promise<void>,
): Promise<void> {
  const sim = await startSimulator({ users: [user(factor)] });
  try {
    const debug: string[] = [];
    const client = new OktaClient({ baseUrl: new URL(sim.url), fetch: testFetch(), retryDelayMs: 1 });
    const transaction = await primaryAuth(client, { username: LOGIN, password: PASSWORD });
    assert.equal(transaction.status, "MFA_REQUIRED");
    const offered = transaction._embedded?.factors?.[0] as Factor;
    const prompter = context.prompter ?? scriptedPrompter();
    const run: UpRun = { prompter, client, sim, debug };
    try {
      run.answer = await verifyFactor(client, transaction, offered, {
        fetch: testFetch((line) => debug.push(line)),
        pollIntervalMs: 1,
        debug: (line) => debug.push(line),
        ...context,
        prompter,
      });
    } catch (error) {
      run.error = error;
    }
    await body(run);
  } finally {
    await sim.close();
  }
}

/** Okta's cookies went only to Okta and Duo's only to Duo (the simulator logs cookie names). */
function assertCookiesScoped(sim: Simulator): void {
  const duoPaths = /^\/(oauth\/v1\/|frame\/)/;
  for (const request of sim.state.requests) {
    if (duoPaths.test(request.path)) {
      assert.ok(!request.cookieNames.includes("sid") && !request.cookieNames.includes("DT"), request.path);
    } else {
      assert.ok(request.cookieNames.every((name) => !/^(_xsrf|trc)\|/.test(name)), request.path);
    }
  }
}

function assertNoSecrets(sim: Simulator, run: UpRun, text: string): void {
  const secrets = [...sim.state.sessions.keys(), ...sim.state.transactions.keys()];
  for (const secret of secrets) assert.ok(!text.includes(secret), "a session or state token leaked");
  assert.ok(!/frameless-[0-9a-f]{8}/.test(text), "a Duo sid leaked");
  assert.ok(
    run.debug.every((line) => !/(sid|tx|txid|code|state|_xsrf)=(?!\*\*\*)/.test(line)),
    run.debug.join("\n"),
  );
}

Deno.test("Duo Push through the Universal Prompt: Okta opens its session, the answer says so", async () => {
  await runUp(
    { push: { decision: "approve", afterPolls: 2 } },
    {},
    ({ answer, error, prompter, client, sim, ...run }) => {
      assert.equal(error, undefined, String(error));
      assert.ok(answer && opensSessionCookie(answer));
      assert.equal(answer.status, "SUCCESS");
      assert.equal(answer.sessionToken, undefined);
      assert.equal(answer._embedded?.user?.profile?.login, LOGIN);
      const sid = client.jar.get("sid");
      assert.ok(sid && sim.state.sessions.get(sid)?.mfa);
      assert.deepEqual(prompter.said, ["Duo Push sent to phone1; waiting for approval"]);
      assert.equal(sim.count("duo:push"), 1);
      assert.equal(sim.count("POST /frame/v4/status"), 3);
      assert.equal(sim.count("duo-up:exit"), 1);
      assert.equal(sim.count("duo-up:session"), 1);
      assert.equal(sim.count("POST /frame/frameless/v4/auth"), 1);
      assertCookiesScoped(sim);
      assertNoSecrets(sim, { answer, error, prompter, client, sim, ...run }, run.debug.join("\n"));
    },
  );
});

Deno.test("Duo's health check first: the plugin form is posted again after it", async () => {
  await runUp({ duo: { healthcheck: true } }, {}, ({ answer, error, sim }) => {
    assert.equal(error, undefined, String(error));
    assert.ok(answer && opensSessionCookie(answer));
    assert.equal(sim.count("POST /frame/frameless/v4/auth"), 2);
    assert.equal(sim.count("GET /frame/v4/preauth/healthcheck/data"), 1);
    assert.equal(sim.count("GET /frame/v4/return"), 1);
  });
});

Deno.test("the 2023 login-form prompt: push and passcode through the form's own post", async () => {
  await runUp(
    { duo: { legacyPrompt: true, devices: ["phone1", "phone2"] } },
    { duoDevice: "phone2" },
    (run) => {
      assert.equal(run.error, undefined, String(run.error));
      assert.deepEqual(run.prompter.said, ["Duo Push sent to phone2; waiting for approval"]);
      assert.equal(run.sim.count("GET /frame/prompt"), 1);
      assert.equal(run.sim.count("POST /frame/prompt"), 1);
      assert.equal(run.sim.count("GET /frame/v4/auth/prompt/data"), 0);
      assert.equal(run.sim.count("duo-up:session"), 1);
    },
  );
  const prompter = scriptedPrompter({ text: ["271828"] });
  await runUp({ duo: { legacyPrompt: true } }, { duoDevice: "phone1:passcode", prompter }, (run) => {
    assert.equal(run.error, undefined, String(run.error));
    assert.equal(run.sim.count("duo:passcode"), 1);
    assert.equal(run.sim.count("duo-up:session"), 1);
  });
});

Deno.test("denied and timed-out pushes are one-line errors; nobody gets a session", async () => {
  await runUp({ push: { decision: "reject" } }, {}, ({ error, sim }) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.message, "Duo Push was denied: User mistake");
    assert.match(error.hint ?? "", /tell your security team/);
    assert.equal(sim.count("duo-up:exit"), 0);
    assert.equal(sim.state.sessions.size, 0);
  });
  await runUp({ push: { decision: "timeout", afterPolls: 1 } }, {}, ({ error }) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.message, "Duo Push timed out");
  });
  await runUp({ push: { decision: "manual" } }, { pushTimeoutMs: 30 }, ({ error }) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.message, "Duo Push was not approved within 30 ms");
  });
});

Deno.test("phone choice: phone2 gets the push, phone1:call rings, an unknown phone names the offered ones", async () => {
  await runUp({ duo: { devices: ["phone1", "phone2"] } }, { duoDevice: "phone2:call" }, (run) => {
    assert.equal(run.error, undefined, String(run.error));
    assert.deepEqual(run.prompter.said, [
      "Duo is calling phone2; answer the call and follow its instructions",
    ]);
    assert.equal(run.sim.count("duo:call"), 1);
    assert.equal(run.sim.count("duo:push"), 0);
  });
  await runUp({ duo: { devices: ["phone1", "phone2"] } }, { duoDevice: "phone3" }, ({ error, sim }) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.message, 'Duo offers no device "phone3" for this login (offered: "phone1", "phone2")');
    assert.match(error.hint ?? "", /--mfa-duo-device/);
    assert.equal(sim.count("POST /frame/v4/prompt"), 0);
  });
});

Deno.test("passcodes: a wrong one is retried, the right one passes, three misses end it", async () => {
  const prompter = scriptedPrompter({ text: ["000000", "271 828"] });
  await runUp({}, { duoDevice: "token", prompter }, ({ error, sim }) => {
    assert.equal(error, undefined, String(error));
    assert.deepEqual(prompter.asked, Array(2).fill("Enter the passcode from your Duo token: "));
    assert.deepEqual(prompter.said, ["Duo rejected the passcode; try again"]);
    assert.equal(sim.count("duo:passcode"), 2);
  });
  const misses = scriptedPrompter({ text: ["", "1", "2"] });
  await runUp({}, { duoDevice: "phone1:passcode", prompter: misses }, ({ error }) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.message, "no passcode was accepted by Duo after 3 attempts");
    assert.equal(misses.asked[0], "Enter a Duo Mobile passcode for phone1: ");
    assert.ok(!errorText(error).includes("271828"));
  });
});

Deno.test("Duo's newest single-page prompt is reported plainly, pointing at the device flow", async () => {
  await runUp({ duo: { singlePagePrompt: true } }, {}, ({ error, sim }) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.message, "Duo served its newest single-page prompt, which aws-okta cannot follow yet");
    assert.match(error.hint ?? "", /okta_auth_flow = device/);
    assert.equal(sim.count("duo:push"), 0);
  });
});

Deno.test("a failing step is named: Okta's callback failing leaves no session and says where", async () => {
  await runUp({}, {}, async ({ sim }) => {
    // A second login in the same simulator, with the callback answering 500 once.
    sim.state.faults.push({ match: "GET /oauth2/v1/authorize/callback", status: 500, times: 1 });
    const client = new OktaClient({ baseUrl: new URL(sim.url), fetch: testFetch(), retryDelayMs: 1 });
    const transaction = await primaryAuth(client, { username: LOGIN, password: PASSWORD });
    const factor = transaction._embedded?.factors?.[0] as Factor;
    await assert.rejects(
      verifyFactor(client, transaction, factor, { fetch: testFetch(), prompter: scriptedPrompter() }),
      (error) => {
        assert.ok(error instanceof AppError);
        assert.equal(
          error.message,
          `Okta opened no session after Duo's Universal Prompt: HTTP 500 at "/oauth2/v1/authorize/callback"`,
        );
        return true;
      },
    );
    sim.state.faults.push({ match: "POST /frame/v4/prompt", status: 502, times: 1 });
    const again = await primaryAuth(client, { username: LOGIN, password: PASSWORD });
    await assert.rejects(
      verifyFactor(client, again, factor, { fetch: testFetch(), prompter: scriptedPrompter() }),
      /^AppError: Duo's Universal Prompt answered the method start with HTTP 502$/,
    );
  });
});

Deno.test("a claims provider that is not Duo is reported with a pointer to the device flow", async () => {
  const idp = await startServer(() => new Response("<html><body><form id='login'></form></body></html>"));
  const okta = await startServer((request, origin) => {
    if (request.path.endsWith("/verify")) {
      return Response.json({
        status: "MFA_CHALLENGE",
        stateToken: "st-1",
        factorResult: "CHALLENGE",
        _links: { next: { name: "redirect", href: `${origin.origin}/sso/idps/0oaX?stateToken=st-1` } },
      });
    }
    return new Response(null, {
      status: 302,
      headers: { location: `http://localhost:${idp.origin.port}/login` },
    });
  });
  try {
    const client = new OktaClient({ baseUrl: okta.origin, fetch: testFetch() });
    const factor: Factor = {
      id: "cp1",
      factorType: "claims_provider",
      provider: "CUSTOM",
      _links: { verify: { href: `${okta.origin.origin}/api/v1/authn/factors/cp1/verify` } },
    };
    await assert.rejects(
      verifyFactor(client, { status: "MFA_REQUIRED", stateToken: "st-1" }, factor, {
        fetch: testFetch(),
        prompter: scriptedPrompter(),
      }),
      (error) => {
        assert.ok(error instanceof AppError);
        assert.equal(
          error.message,
          `the MFA factor "CUSTOM (claims_provider)" signs in at "localhost:${idp.origin.port}", which is not Duo's Universal Prompt`,
        );
        assert.match(error.hint ?? "", /okta_auth_flow = device/);
        return true;
      },
    );
  } finally {
    await okta.close();
    await idp.close();
  }
});

Deno.test("u2f as the Duo device is refused before Okta is asked", async () => {
  await runUp({}, { duoDevice: "u2f" }, ({ error, sim }) => {
    assert.ok(error instanceof AppError);
    assert.match(error.message, /^the Duo device "u2f" is not supported/);
    assert.equal(sim.count("POST /api/v1/authn/factors/:id/verify"), 0);
  });
});

Deno.test("classicLogin: the Universal Prompt's session fetches the SAML and is stored, then reused", async () => {
  const sim = await startSimulator({ users: [user({})] });
  try {
    const base = {
      baseUrl: new URL(sim.url),
      samlUrl: SAML_URL,
      username: LOGIN,
      password: () => Promise.resolve(PASSWORD),
      mfa: {},
      fetch: testFetch(),
      prompter: scriptedPrompter(),
      pollIntervalMs: 1,
    };
    const first = await classicLogin(base);
    assert.equal(first.reusedSession, false);
    assert.ok(first.samlResponse.length > 100);
    assert.ok(first.sessionCookie && sim.state.sessions.has(first.sessionCookie));
    assert.equal(sim.count("GET /login/sessionCookieRedirect"), 0);
    assert.equal(sim.count("saml:issued"), 1);

    const second = await classicLogin({ ...base, sessionCookie: first.sessionCookie });
    assert.equal(second.reusedSession, true);
    assert.equal(sim.count("duo-up:session"), 1);
  } finally {
    await sim.close();
  }
});

Deno.test("classicLogin: an app step-up through the Universal Prompt upgrades the stored session", async () => {
  const stepUpUser = user({}, { mfaOnSignIn: false });
  stepUpUser.apps[0]!.stepUp = true;
  const sim = await startSimulator({ users: [stepUpUser] });
  try {
    const result = await classicLogin({
      baseUrl: new URL(sim.url),
      samlUrl: SAML_URL,
      username: LOGIN,
      password: () => Promise.resolve(PASSWORD),
      mfa: {},
      fetch: testFetch(),
      prompter: scriptedPrompter(),
      pollIntervalMs: 1,
    });
    assert.ok(result.samlResponse);
    assert.equal(sim.count("duo-up:session"), 1);
    assert.equal(sim.state.sessions.size, 1);
    assert.ok(result.sessionCookie && sim.state.sessions.get(result.sessionCookie)?.mfa);
  } finally {
    await sim.close();
  }
});

Deno.test("authenticate (aws-okta add): the session Okta opened is returned, no token redeemed", async () => {
  const sim = await startSimulator({ users: [user({})] });
  try {
    const result = await authenticate({
      baseUrl: new URL(sim.url),
      username: LOGIN,
      password: () => Promise.resolve(PASSWORD),
      mfa: {},
      fetch: testFetch(),
      prompter: scriptedPrompter(),
      pollIntervalMs: 1,
    });
    assert.ok(result.sessionCookie && sim.state.sessions.has(result.sessionCookie));
    assert.ok(result.deviceToken);
    assert.equal(sim.count("GET /login/sessionCookieRedirect"), 0);
  } finally {
    await sim.close();
  }
});
