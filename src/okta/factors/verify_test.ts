import assert from "node:assert/strict";
import { AppError } from "../../errors.ts";
import type { AuthnResponse, Factor } from "../authn.ts";
import { OktaApiError, OktaClient } from "../client.ts";
import { retryAfterMs } from "./push.ts";
import { chooseFactor, verifyFactor } from "./verify.ts";
import {
  errorText,
  jsonFixture,
  jsonResponse,
  type RecordedRequest,
  type ScriptedPrompter,
  scriptedPrompter,
  startServer,
  testFetch,
} from "../test_support.ts";

const STATE_TOKEN = "00abcDEF-state-token-SECRET";

/** One canned answer: a fixture name (status 200 unless given) and extra headers. */
type Canned = { file: string; status?: number; headers?: Record<string, string> };

/**
 * Runs `body` against a loopback Okta whose verify endpoints answer `script` in order (the last
 * answer repeats), with the MFA_REQUIRED transaction listing every factor type.
 */
async function withVerifyServer(
  script: Canned[],
  body: (
    ctx: { client: OktaClient; transaction: AuthnResponse; factor: (id: string) => Factor },
  ) => Promise<void>,
): Promise<RecordedRequest[]> {
  let call = 0;
  const server = await startServer((_request, origin) => {
    const canned = script[Math.min(call++, script.length - 1)];
    assert.ok(canned);
    return jsonResponse(canned.file, origin, canned.status ?? 200, canned.headers ?? {});
  });
  try {
    const transaction = await jsonFixture<AuthnResponse>(
      "authn_mfa_required_all_factors.json",
      server.origin,
    );
    const client = new OktaClient({ baseUrl: server.origin, fetch: testFetch(), retryDelayMs: 1 });
    const factor = (id: string) => {
      const found = transaction._embedded?.factors?.find((candidate) => candidate.id.startsWith(id));
      assert.ok(found, id);
      return found;
    };
    await body({ client, transaction, factor });
  } finally {
    await server.close();
  }
  return server.requests;
}

async function allFactors(): Promise<Factor[]> {
  const transaction = await jsonFixture<AuthnResponse>("authn_mfa_required_all_factors.json");
  return transaction._embedded?.factors ?? [];
}

// ---------------------------------------------------------------------------------------------
// chooseFactor

Deno.test("chooseFactor: the only factor is used without a question", async () => {
  const [push] = await allFactors();
  assert.ok(push);
  const prompter = scriptedPrompter();
  assert.equal(await chooseFactor([push], {}, prompter), push);
  assert.deepEqual(prompter.asked, []);
});

Deno.test("chooseFactor: preferences match provider and/or type, case-insensitively", async () => {
  const factors = await allFactors();
  const prompter = scriptedPrompter();
  assert.equal((await chooseFactor(factors, { factorType: "PUSH" }, prompter)).id, "opf1pushAAAAAAAAAAA1");
  assert.equal((await chooseFactor(factors, { provider: "google" }, prompter)).id, "ost1totpAAAAAAAAAAA1");
  assert.equal(
    (await chooseFactor(factors, { provider: "Okta", factorType: "token:software:TOTP" }, prompter)).id,
    "ost1totpOKTAAAAAAAA1",
  );
  assert.equal(
    (await chooseFactor(factors, { provider: "symantec", factorType: "token" }, prompter)).id,
    "sym1tokAAAAAAAAAAAA1",
  );
  assert.deepEqual(prompter.asked, []);
});

Deno.test("chooseFactor: several matches are offered as a list", async () => {
  const factors = await allFactors();
  const prompter = scriptedPrompter({ choose: [1] });
  const chosen = await chooseFactor(factors, { factorType: "token" }, prompter);
  assert.equal(chosen.id, "rsa1tokAAAAAAAAAAAA1");
  assert.deepEqual(prompter.choices, [["SYMANTEC (token)", "RSA (token)"]]);
});

Deno.test("chooseFactor: without preferences the user picks from PROVIDER (factorType) lines", async () => {
  const factors = (await allFactors()).slice(0, 3);
  const prompter = scriptedPrompter({ choose: [2] });
  const chosen = await chooseFactor(factors, {}, prompter);
  assert.equal(chosen.id, "ost1totpAAAAAAAAAAA1");
  assert.deepEqual(prompter.choices, [[
    "OKTA (push)",
    "OKTA (token:software:totp)",
    "GOOGLE (token:software:totp)",
  ]]);
});

Deno.test("chooseFactor: identical labels are told apart by the device", async () => {
  const [push] = await allFactors();
  assert.ok(push);
  const second: Factor = { ...push, id: "opf2push", profile: { name: "Pixel 8" } };
  const prompter = scriptedPrompter({ choose: [1] });
  assert.equal((await chooseFactor([push, second], {}, prompter)).id, "opf2push");
  assert.deepEqual(prompter.choices, [["OKTA (push) - iPhone", "OKTA (push) - Pixel 8"]]);
});

Deno.test("chooseFactor: a configured factor that is not enrolled lists the enrolled ones", async () => {
  const factors = (await allFactors()).slice(0, 3);
  await assert.rejects(
    chooseFactor(factors, { provider: "DUO", factorType: "web" }, scriptedPrompter()),
    (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(
        error.message,
        'the MFA factor "DUO (web)" is not enrolled in Okta: enrolled are "OKTA (push)", ' +
          '"OKTA (token:software:totp)", "GOOGLE (token:software:totp)"',
      );
      return true;
    },
  );
  await assert.rejects(
    chooseFactor(factors, { factorType: "sms" }, scriptedPrompter()),
    /"sms" is not enrolled/,
  );
});

Deno.test("chooseFactor: a stale preference with one enrolled factor uses it and says so", async () => {
  const [push] = await allFactors();
  assert.ok(push);
  for (const prefs of [{ provider: "DUO", factorType: "web" }, { factorType: "token:software:totp" }]) {
    const prompter = scriptedPrompter();
    assert.equal(await chooseFactor([push], prefs, prompter), push);
    assert.deepEqual(prompter.asked, []);
    const wanted = prefs.provider ? "DUO (web)" : "token:software:totp";
    assert.deepEqual(prompter.said, [
      `The MFA factor "${wanted}" is not enrolled in Okta; using your only factor, "OKTA (push)" ` +
      "(fix --mfa-provider/--mfa-factor-type or mfa_provider/mfa_factor_type)",
    ]);
  }
});

Deno.test("chooseFactor: no factors, or an out-of-range choice, is an AppError", async () => {
  await assert.rejects(chooseFactor([], {}, scriptedPrompter()), AppError);
  const factors = (await allFactors()).slice(0, 2);
  await assert.rejects(
    chooseFactor(factors, {}, scriptedPrompter({ choose: [5] })),
    /no MFA factor numbered 6/,
  );
});

// ---------------------------------------------------------------------------------------------
// push

Deno.test("push: sends with rememberDevice and autoPush, shows the number once, polls until SUCCESS", async () => {
  const prompter = scriptedPrompter();
  let result: AuthnResponse | undefined;
  const requests = await withVerifyServer([
    { file: "push_waiting.json" },
    { file: "push_waiting_number_challenge.json" },
    { file: "push_waiting_number_challenge.json", headers: { "retry-after": "0" } },
    { file: "authn_success.json" },
  ], async ({ client, transaction, factor }) => {
    result = await verifyFactor(client, transaction, factor("opf1push"), { prompter, pollIntervalMs: 1 });
  });
  assert.equal(result?.status, "SUCCESS");
  assert.equal(requests.length, 4);
  const [first, ...polls] = requests;
  assert.equal(first?.path, "/api/v1/authn/factors/opf1pushAAAAAAAAAAA1/verify");
  assert.equal(first?.query.get("rememberDevice"), "true");
  assert.equal(first?.query.get("autoPush"), "true");
  for (const request of requests) assert.deepEqual(request.body, { stateToken: STATE_TOKEN });
  for (const poll of polls) assert.equal(poll.path, "/api/v1/authn/factors/opf1pushAAAAAAAAAAA1/verify");
  assert.deepEqual(prompter.said, [
    "Okta Verify push sent to iPhone; waiting for approval",
    "Okta Verify: tap 42 on your phone",
  ]);
});

Deno.test("push: REJECTED, TIMEOUT and other results end the wait", async () => {
  const cases: [string, string, RegExp][] = [
    ["push_rejected.json", "Okta Verify push was rejected", /approve the push/],
    ["push_timeout.json", "Okta Verify push timed out", /^run the command again and approve the push$/],
  ];
  for (const [file, message, hint] of cases) {
    await withVerifyServer(
      [{ file: "push_waiting.json" }, { file }],
      async ({ client, transaction, factor }) => {
        await assert.rejects(
          verifyFactor(client, transaction, factor("opf1push"), {
            prompter: scriptedPrompter(),
            pollIntervalMs: 1,
          }),
          (error) => {
            assert.ok(error instanceof AppError);
            assert.equal(error.message, message);
            assert.match(error.hint ?? "", hint);
            return true;
          },
        );
      },
    );
  }
});

Deno.test("push: an unknown terminal result is reported by name", async () => {
  const server = await startServer(async (_request, origin) => {
    const body = await jsonFixture<AuthnResponse>("push_waiting.json", origin);
    body.factorResult = "TIME_WINDOW_EXCEEDED";
    return Response.json(body);
  });
  try {
    const transaction = await jsonFixture<AuthnResponse>("authn_mfa_required.json", server.origin);
    const client = new OktaClient({ baseUrl: server.origin, fetch: testFetch() });
    const push = transaction._embedded?.factors?.[0];
    assert.ok(push);
    await assert.rejects(
      verifyFactor(client, transaction, push, { prompter: scriptedPrompter(), pollIntervalMs: 1 }),
      /^AppError: Okta Verify push failed: "TIME_WINDOW_EXCEEDED"$/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("push: our own deadline ends an endless WAITING", async () => {
  const prompter = scriptedPrompter();
  const requests = await withVerifyServer(
    [{ file: "push_waiting.json" }],
    async ({ client, transaction, factor }) => {
      await assert.rejects(
        verifyFactor(client, transaction, factor("opf1push"), {
          prompter,
          pollIntervalMs: 1,
          pushTimeoutMs: 0,
        }),
        (error) => {
          assert.ok(error instanceof AppError);
          assert.equal(error.message, "Okta Verify push was not approved within 0 ms");
          assert.equal(error.hint, "run the command again and approve the push");
          return true;
        },
      );
    },
  );
  assert.equal(requests.length, 1);
  assert.deepEqual(prompter.said, ["Okta Verify push sent to iPhone; waiting for approval"]);
});

Deno.test("retryAfterMs: seconds, HTTP dates, garbage and absence", () => {
  const now = Date.parse("2024-05-01T12:00:00Z");
  assert.equal(retryAfterMs(new Headers({ "retry-after": "3" }), now), 3000);
  assert.equal(retryAfterMs(new Headers({ "retry-after": "Wed, 01 May 2024 12:00:05 GMT" }), now), 5000);
  assert.equal(retryAfterMs(new Headers({ "retry-after": "Wed, 01 May 2024 11:00:00 GMT" }), now), 0);
  assert.equal(retryAfterMs(new Headers({ "retry-after": "soon" }), now), undefined);
  assert.equal(retryAfterMs(new Headers(), now), undefined);
});

// ---------------------------------------------------------------------------------------------
// codes

Deno.test("TOTP: a wrong code is asked again, then accepted", async () => {
  const prompter = scriptedPrompter({ text: ["111111", " 123 456 "] });
  let result: AuthnResponse | undefined;
  const requests = await withVerifyServer([
    { file: "error_E0000068.json", status: 403 },
    { file: "authn_success.json" },
  ], async ({ client, transaction, factor }) => {
    result = await verifyFactor(client, transaction, factor("ost1totpAAAA"), { prompter });
  });
  assert.equal(result?.status, "SUCCESS");
  assert.deepEqual(prompter.asked, [
    "Enter Google Authenticator code: ",
    "Enter Google Authenticator code: ",
  ]);
  assert.deepEqual(prompter.said, ["Okta rejected the code; try again"]);
  assert.deepEqual(requests.map((request) => request.body), [
    { stateToken: STATE_TOKEN, passCode: "111111" },
    { stateToken: STATE_TOKEN, passCode: "123456" },
  ]);
  assert.equal(requests[0]?.query.get("rememberDevice"), "true");
  assert.equal(requests[0]?.query.has("autoPush"), false);
});

Deno.test("TOTP: three wrong codes end the login", async () => {
  const prompter = scriptedPrompter({ text: ["1", "2", "3"] });
  const requests = await withVerifyServer(
    [{ file: "error_E0000068.json", status: 403 }],
    async ({ client, transaction, factor }) => {
      await assert.rejects(
        verifyFactor(client, transaction, factor("ost1totpOKTA"), { prompter }),
        (error) => {
          assert.ok(error instanceof AppError);
          assert.equal(error.message, "Okta rejected the MFA code 3 times");
          return true;
        },
      );
    },
  );
  assert.equal(requests.length, 3);
  assert.deepEqual(prompter.asked, Array(3).fill("Enter Okta Verify code: "));
  assert.deepEqual(prompter.said, Array(2).fill("Okta rejected the code; try again"));
});

Deno.test("TOTP: an empty answer is asked again without calling Okta", async () => {
  const prompter = scriptedPrompter({ text: ["", "654321"] });
  const requests = await withVerifyServer(
    [{ file: "authn_success.json" }],
    async ({ client, transaction, factor }) => {
      await verifyFactor(client, transaction, factor("ost1totpAAAA"), { prompter });
    },
  );
  assert.equal(requests.length, 1);
  assert.deepEqual(prompter.said, ["No code entered; try again"]);
});

Deno.test("hardware and token factors prompt with their provider's name", async () => {
  const cases: [string, string][] = [
    ["ykf1hard", "Enter YubiKey code: "],
    ["sym1tok", "Enter Symantec VIP code: "],
    ["rsa1tok", "Enter RSA SecurID code: "],
  ];
  for (const [id, question] of cases) {
    const prompter = scriptedPrompter({ text: ["cccccc"] });
    const requests = await withVerifyServer(
      [{ file: "authn_success.json" }],
      async ({ client, transaction, factor }) => {
        assert.equal((await verifyFactor(client, transaction, factor(id), { prompter })).status, "SUCCESS");
      },
    );
    assert.deepEqual(prompter.asked, [question]);
    assert.deepEqual(requests.map((request) => request.body), [{
      stateToken: STATE_TOKEN,
      passCode: "cccccc",
    }]);
    assert.match(requests[0]?.path ?? "", new RegExp(`^/api/v1/authn/factors/${id}A+1/verify$`));
  }
});

Deno.test("SMS: the first verify sends, the user is told where, a wrong code is retried", async () => {
  const prompter = scriptedPrompter({ text: ["000000", "424242"] });
  const requests = await withVerifyServer([
    { file: "sms_challenge.json" },
    { file: "error_E0000068.json", status: 403 },
    { file: "authn_success.json" },
  ], async ({ client, transaction, factor }) => {
    assert.equal((await verifyFactor(client, transaction, factor("sms1"), { prompter })).status, "SUCCESS");
  });
  assert.deepEqual(requests.map((request) => request.body), [
    { stateToken: STATE_TOKEN },
    { stateToken: STATE_TOKEN, passCode: "000000" },
    { stateToken: STATE_TOKEN, passCode: "424242" },
  ]);
  assert.deepEqual(prompter.said, [
    "Okta sent a code by SMS to +1 XXX-XXX-4321",
    "Okta rejected the code; try again",
  ]);
  assert.deepEqual(prompter.asked, ["Enter the SMS code: ", "Enter the SMS code: "]);
});

Deno.test("SMS: 'sent moments ago' (E0000109) goes on to ask for the earlier code", async () => {
  const prompter = scriptedPrompter({ text: ["424242"] });
  const requests = await withVerifyServer([
    { file: "error_E0000109.json", status: 429 },
    { file: "authn_success.json" },
  ], async ({ client, transaction, factor }) => {
    assert.equal((await verifyFactor(client, transaction, factor("sms1"), { prompter })).status, "SUCCESS");
  });
  assert.equal(requests.length, 2);
  assert.deepEqual(prompter.said, [
    "Okta sent a code moments ago; use that one",
    "Okta sent a code by SMS to +1 XXX-XXX-4321",
  ]);
});

Deno.test("voice call and e-mail say where the code went", async () => {
  const cases: [string, string, string][] = [
    ["clf1call", "Okta is calling +1 XXX-XXX-9876", "Enter the code from the call: "],
    ["emf1mail", "Okta sent a code to a...@example.com", "Enter the e-mail code: "],
  ];
  for (const [id, said, asked] of cases) {
    const prompter = scriptedPrompter({ text: ["12345"] });
    await withVerifyServer(
      [{ file: "sms_challenge.json" }, { file: "authn_success.json" }],
      async ({ client, transaction, factor }) => {
        assert.equal((await verifyFactor(client, transaction, factor(id), { prompter })).status, "SUCCESS");
      },
    );
    assert.deepEqual(prompter.said, [said]);
    assert.deepEqual(prompter.asked, [asked]);
  }
});

Deno.test("security question: asks the question, sends the answer as a secret", async () => {
  const prompter = scriptedPrompter({ secret: ["wrong", " Ayrton Senna "] });
  const requests = await withVerifyServer([
    { file: "error_E0000068.json", status: 403 },
    { file: "authn_success.json" },
  ], async ({ client, transaction, factor }) => {
    assert.equal(
      (await verifyFactor(client, transaction, factor("ufs1ques"), { prompter })).status,
      "SUCCESS",
    );
  });
  assert.deepEqual(prompter.asked, Array(2).fill("Who's your favorite sports player?: "));
  assert.deepEqual(requests[1]?.body, { stateToken: STATE_TOKEN, answer: "Ayrton Senna" });
  assert.deepEqual(prompter.said, ["Okta rejected the answer; try again"]);
});

// ---------------------------------------------------------------------------------------------
// unsupported factors and transaction-ending errors

Deno.test("unknown factor types are not supported yet, with a hint", async () => {
  const requests = await withVerifyServer(
    [{ file: "authn_success.json" }],
    async ({ client, transaction, factor }) => {
      const odd: Factor = { ...factor("opf1push"), factorType: "signed_nonce", provider: "OKTA" };
      await assert.rejects(
        verifyFactor(client, transaction, odd, { prompter: scriptedPrompter() }),
        (error) => {
          assert.ok(error instanceof AppError);
          assert.equal(error.message, 'the MFA factor "OKTA (signed_nonce)" is not supported yet');
          // The odd factor shares the push factor's id, so push is not offered as another choice.
          assert.match(
            error.hint ?? "",
            /^pick another factor with --mfa-factor-type \(enrolled: token:software:totp, /,
          );
          assert.match(error.hint ?? "", /, web, u2f, webauthn\)$/);
          return true;
        },
      );
    },
  );
  assert.equal(requests.length, 0);
});

Deno.test("an expired transaction (E0000011) ends the login without leaking the state token", async () => {
  await withVerifyServer(
    [{ file: "error_E0000011.json", status: 401 }],
    async ({ client, transaction, factor }) => {
      const error = await verifyFactor(client, transaction, factor("ost1totpAAAA"), {
        prompter: scriptedPrompter({ text: ["123456"] }),
      }).then(() => undefined, (caught: unknown) => caught);
      assert.ok(error instanceof AppError);
      assert.equal(error.message, "the Okta login took too long (transaction expired)");
      assert.ok(!errorText(error).includes(STATE_TOKEN));
      assert.ok(!errorText(error).includes("123456"));
    },
  );
});

Deno.test("too many MFA failures (E0000069) is a lockout", async () => {
  await withVerifyServer(
    [{ file: "error_E0000069.json", status: 403 }],
    async ({ client, transaction, factor }) => {
      await assert.rejects(
        verifyFactor(client, transaction, factor("opf1push"), {
          prompter: scriptedPrompter(),
          pollIntervalMs: 1,
        }),
        /^AppError: Okta locked the account after too many MFA failures$/,
      );
    },
  );
});

Deno.test("other Okta errors pass through as OktaApiError", async () => {
  await withVerifyServer(
    [{ file: "error_E0000007.json", status: 404 }],
    async ({ client, transaction, factor }) => {
      const prompter: ScriptedPrompter = scriptedPrompter({ text: ["123456"] });
      await assert.rejects(verifyFactor(client, transaction, factor("ykf1hard"), { prompter }), (error) => {
        assert.ok(error instanceof OktaApiError);
        assert.equal(error.errorCode, "E0000007");
        assert.match(error.message, /\(E0000007\)$/);
        return true;
      });
    },
  );
});
