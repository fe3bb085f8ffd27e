import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { authenticate, classicLogin, type ClassicLoginInput } from "./classic_login.ts";
import {
  errorText,
  fixture,
  htmlResponse,
  jsonResponse,
  type RecordedRequest,
  type ScriptedPrompter,
  scriptedPrompter,
  startServer,
  testFetch,
  type TestServer,
} from "./test_support.ts";

const APP_PATH = "home/amazon_aws/0oa1abcdEFGH2345/272";
const PASSWORD = "hunter2-PASSWORD-SECRET";
const STATE_TOKEN = "00abcDEF-state-token-SECRET";
const SESSION_TOKEN = "20111SESSION-token-SECRET";
const STEPUP_TOKEN = "00ab-cd-EF\\gh--step";
const STORED_SID = "stored-SID-SECRET";
const NEW_SID = "new-SID-SECRET";
const NEW_DT = "new-DT-SECRET";
const SECRETS = [PASSWORD, STATE_TOKEN, SESSION_TOKEN, STEPUP_TOKEN, STORED_SID, NEW_SID, NEW_DT];
const samlBase64 = (await fixture("saml_response.b64")).trim();

/** A fixture answer: file name, status, headers. */
type Canned = { file: string; status?: number; headers?: Record<string, string> };

/** How the loopback Okta behaves. */
interface SimOptions {
  /** Answers to username/password authn calls, in order (the last repeats). */
  authn?: Canned[];
  /** Answers to {stateToken} authn calls (resume). */
  resume?: Canned[];
  /** Answers to factor verify calls. */
  verify?: Canned[];
  /** The sid the org still accepts. */
  liveSid?: string;
  /** What the app link does with a valid session: SAML (default), a step-up first, or an error. */
  app?: "saml" | "stepup" | "stepup-after-login" | "signin" | 403 | 404 | 500;
}

/** A small Okta: Authn API from fixtures, the app link, the sign-in page and sessionCookieRedirect. */
function startOkta(options: SimOptions): Promise<TestServer> {
  const counters = { authn: 0, resume: 0, verify: 0 };
  let steppedUp = false;
  const next = (list: Canned[] | undefined, key: keyof typeof counters, origin: URL) => {
    const all = list ?? [{ file: "authn_success.json" }];
    const canned = all[Math.min(counters[key]++, all.length - 1)];
    assert.ok(canned);
    return jsonResponse(canned.file, origin, canned.status ?? 200, canned.headers ?? {});
  };
  const cookie = (request: RecordedRequest, name: string) =>
    request.headers.get("cookie")?.split(/;\s*/).find((pair) => pair.startsWith(`${name}=`))?.slice(
      name.length + 1,
    );
  const loggedIn = { "set-cookie": `sid=${NEW_SID}; Path=/; Secure; HttpOnly` };

  return startServer((request, origin) => {
    const { path } = request;
    if (request.method === "POST" && path === "/api/v1/authn") {
      const body = request.body as Record<string, unknown>;
      if ("stateToken" in body) return next(options.resume, "resume", origin);
      return next(options.authn, "authn", origin);
    }
    if (request.method === "POST" && /^\/api\/v1\/authn\/factors\/[^/]+\/verify$/.test(path)) {
      return next(options.verify, "verify", origin);
    }
    if (request.method === "POST" && path === "/api/v1/authn/skip") {
      return jsonResponse("authn_success.json", origin);
    }
    if (path === `/${APP_PATH}`) {
      if (typeof options.app === "number") {
        return htmlResponse(`error_${options.app === 500 ? 404 : options.app}.html`, options.app);
      }
      const token = request.query.get("onetimetoken");
      if (token !== null) {
        if (token !== SESSION_TOKEN) return htmlResponse("error_403.html", 403);
        if (options.app === "signin") return htmlResponse("signin_page.html");
        if (options.app === "stepup-after-login" && !steppedUp) {
          steppedUp = true;
          return htmlResponse("stepup_page.html");
        }
        return htmlResponse("saml_page.html", 200, [[
          "set-cookie",
          `sid=${NEW_SID}; Path=/; Secure; HttpOnly`,
        ], [
          "set-cookie",
          `DT=${NEW_DT}; Max-Age=157680000; Path=/`,
        ]]);
      }
      if (options.liveSid && cookie(request, "sid") === options.liveSid) {
        if (options.app === "stepup" && !steppedUp) {
          steppedUp = true;
          return htmlResponse("stepup_page.html");
        }
        return htmlResponse("saml_page.html");
      }
      return new Response(null, {
        status: 302,
        headers: { location: `/login/login.htm?fromURI=${encodeURIComponent(`/${APP_PATH}`)}` },
      });
    }
    if (path === "/login/login.htm") {
      return htmlResponse("signin_page.html", 200, { "set-cookie": "JSESSIONID=j1; Path=/" });
    }
    if (path === "/login/sessionCookieRedirect") {
      if (request.query.get("token") !== SESSION_TOKEN) return htmlResponse("error_403.html", 403);
      return new Response(null, {
        status: 302,
        headers: [["location", request.query.get("redirectUrl") ?? "/"], [
          "set-cookie",
          loggedIn["set-cookie"],
        ], [
          "set-cookie",
          `DT=${NEW_DT}; Max-Age=157680000; Path=/`,
        ]],
      });
    }
    return new Response("not found", { status: 404 });
  });
}

interface Run {
  prompter: ScriptedPrompter;
  debug: string[];
  passwordAsked: number;
}

function input(server: TestServer, run: Run, extra: Partial<ClassicLoginInput> = {}): ClassicLoginInput {
  return {
    baseUrl: server.origin,
    samlUrl: APP_PATH,
    username: "alice@example.com",
    password: () => {
      run.passwordAsked++;
      return Promise.resolve(PASSWORD);
    },
    mfa: {},
    fetch: testFetch((line) => run.debug.push(line)),
    prompter: run.prompter,
    debug: (line) => run.debug.push(line),
    pollIntervalMs: 1,
    ...extra,
  };
}

async function scenario(
  options: SimOptions,
  answers: Parameters<typeof scriptedPrompter>[0],
  body: (server: TestServer, run: Run) => Promise<void>,
): Promise<{ requests: RecordedRequest[]; run: Run }> {
  const server = await startOkta(options);
  const run: Run = { prompter: scriptedPrompter(answers), debug: [], passwordAsked: 0 };
  try {
    await body(server, run);
  } finally {
    await server.close();
  }
  // Whatever happened, nothing secret may reach the debug log or the user.
  const visible = [...run.debug, ...run.prompter.said, ...run.prompter.asked].join("\n");
  for (const secret of SECRETS) assert.ok(!visible.includes(secret), `"${secret}" leaked`);
  return { requests: server.requests, run };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof AppError, `expected an AppError, got ${error}`);
  for (const secret of SECRETS) assert.ok(!errorText(error).includes(secret), `"${secret}" in the error`);
  return error;
}

const appCalls = (requests: RecordedRequest[]) =>
  requests.filter((request) => request.path === `/${APP_PATH}`);
const authnCalls = (requests: RecordedRequest[]) =>
  requests.filter((request) => request.path === "/api/v1/authn");

Deno.test("classicLogin: a live stored session gives SAML without password or MFA", async () => {
  const { requests, run } = await scenario({ liveSid: STORED_SID }, {}, async (server, run) => {
    const result = await classicLogin(input(server, run, { sessionCookie: STORED_SID }));
    assert.deepEqual(result, { samlResponse: samlBase64, sessionCookie: STORED_SID, reusedSession: true });
  });
  assert.equal(run.passwordAsked, 0);
  assert.equal(authnCalls(requests).length, 0);
  assert.equal(appCalls(requests)[0]?.headers.get("cookie"), `sid=${STORED_SID}`);
});

Deno.test("classicLogin: an expired session falls back to password login and captures new cookies", async () => {
  const { requests, run } = await scenario({}, {}, async (server, run) => {
    const result = await classicLogin(
      input(server, run, { sessionCookie: STORED_SID, deviceToken: "old-dt" }),
    );
    assert.deepEqual(result, {
      samlResponse: samlBase64,
      sessionCookie: NEW_SID,
      deviceToken: NEW_DT,
      reusedSession: false,
    });
  });
  assert.equal(run.passwordAsked, 1);
  const [authn] = authnCalls(requests);
  assert.deepEqual((authn?.body as Record<string, unknown>).context, { deviceToken: "old-dt" });
  // The stale sid is not sent with the password login; the DT cookie is. With a DT in hand, the
  // redirect to the sign-in page is not followed (one request fewer per cold login).
  assert.equal(authn?.headers.get("cookie"), "DT=old-dt");
  assert.equal(requests.filter((request) => request.path.startsWith("/login/login.htm")).length, 0);
  const redeem = appCalls(requests).at(-1);
  assert.equal(redeem?.query.get("onetimetoken"), SESSION_TOKEN);
  assert.ok(run.debug.includes("okta: authn status SUCCESS"));
});

Deno.test("classicLogin: with no device token yet, the sign-in page is fetched for Okta's DT cookie", async () => {
  const { requests } = await scenario({}, {}, async (server, run) => {
    await classicLogin(input(server, run, { sessionCookie: STORED_SID }));
  });
  assert.equal(requests.filter((request) => request.path.startsWith("/login/login.htm")).length, 1);
  const [authn] = authnCalls(requests);
  assert.match(authn?.headers.get("cookie") ?? "", /JSESSIONID=j1/);
});

Deno.test("classicLogin: password + push MFA, with the factor from the preferences", async () => {
  const { requests, run } = await scenario(
    {
      authn: [{ file: "authn_mfa_required.json" }],
      verify: [{ file: "push_waiting_number_challenge.json" }, { file: "authn_success.json" }],
    },
    {},
    async (server, run) => {
      const result = await classicLogin(input(server, run, { mfa: { factorType: "push" } }));
      assert.equal(result.samlResponse, samlBase64);
      assert.equal(result.reusedSession, false);
    },
  );
  assert.deepEqual(run.prompter.said, [
    "Okta Verify push sent to iPhone; waiting for approval",
    "Okta Verify: tap 42 on your phone",
  ]);
  assert.ok(run.debug.includes("okta: authn status MFA_REQUIRED (2 factors)"));
  assert.equal(requests.filter((request) => request.path.endsWith("/verify")).length, 2);
});

Deno.test("classicLogin: password + TOTP chosen from the list", async () => {
  const { requests } = await scenario(
    {
      authn: [{ file: "authn_mfa_required.json" }],
      verify: [{ file: "authn_success.json" }],
    },
    { choose: [1], text: ["123456"] },
    async (server, run) => {
      assert.equal((await classicLogin(input(server, run))).samlResponse, samlBase64);
      assert.deepEqual(run.prompter.choices, [["OKTA (push)", "GOOGLE (token:software:totp)"]]);
    },
  );
  const verify = requests.find((request) => request.path.endsWith("/verify"));
  assert.deepEqual(verify?.body, { stateToken: STATE_TOKEN, passCode: "123456" });
});

Deno.test("classicLogin: MFA step-up on the stored session resumes the page's transaction", async () => {
  const { requests, run } = await scenario(
    {
      liveSid: STORED_SID,
      app: "stepup",
      resume: [{ file: "authn_mfa_required.json" }],
      verify: [{ file: "authn_success.json" }],
    },
    { text: ["654321"] },
    async (server, run) => {
      const result = await classicLogin(
        input(server, run, { sessionCookie: STORED_SID, mfa: { provider: "GOOGLE" } }),
      );
      assert.equal(result.samlResponse, samlBase64);
      assert.equal(result.reusedSession, true);
      assert.equal(result.sessionCookie, NEW_SID);
    },
  );
  assert.equal(run.passwordAsked, 0);
  assert.deepEqual(authnCalls(requests).map((request) => request.body), [{ stateToken: STEPUP_TOKEN }]);
  assert.equal(appCalls(requests).at(-1)?.query.get("onetimetoken"), SESSION_TOKEN);
});

Deno.test("classicLogin: a step-up right after the password login is verified too", async () => {
  const { requests, run } = await scenario(
    {
      app: "stepup-after-login",
      authn: [{ file: "authn_success.json" }],
      resume: [{ file: "authn_mfa_required.json" }],
      verify: [{ file: "push_waiting.json" }, { file: "authn_success.json" }],
    },
    {},
    async (server, run) => {
      const result = await classicLogin(input(server, run, { mfa: { provider: "okta" } }));
      assert.equal(result.samlResponse, samlBase64);
      assert.equal(result.reusedSession, false);
    },
  );
  assert.equal(run.passwordAsked, 1);
  assert.deepEqual(authnCalls(requests).map((request) => Object.keys(request.body as object)), [
    ["username", "password", "options"],
    ["stateToken"],
  ]);
  assert.equal(appCalls(requests).length, 2);
});

Deno.test("classicLogin: a step-up whose transaction is gone falls back to the password", async () => {
  const { run } = await scenario(
    {
      liveSid: STORED_SID,
      app: "stepup",
      resume: [{ file: "authn_unauthenticated.json" }],
    },
    {},
    async (server, run) => {
      const result = await classicLogin(input(server, run, { sessionCookie: STORED_SID }));
      assert.equal(result.reusedSession, false);
    },
  );
  assert.equal(run.passwordAsked, 1);
});

Deno.test("classicLogin: PASSWORD_WARN is skipped with a warning", async () => {
  const { requests, run } = await scenario(
    { authn: [{ file: "authn_password_warn.json" }] },
    {},
    async (server, run) => {
      assert.equal((await classicLogin(input(server, run))).samlResponse, samlBase64);
    },
  );
  assert.deepEqual(run.prompter.said, [
    'The Okta password for "alice@example.com" expires in 5 days; change it in the browser',
  ]);
  const skip = requests.find((request) => request.path === "/api/v1/authn/skip");
  assert.deepEqual(skip?.body, { stateToken: STATE_TOKEN });
});

Deno.test("classicLogin: UNAUTHENTICATED starts over once", async () => {
  const { requests } = await scenario(
    {
      authn: [{ file: "authn_unauthenticated.json" }, { file: "authn_success.json" }],
    },
    {},
    async (server, run) => {
      assert.equal((await classicLogin(input(server, run))).samlResponse, samlBase64);
    },
  );
  assert.equal(authnCalls(requests).length, 2);

  await scenario({ authn: [{ file: "authn_unauthenticated.json" }] }, {}, async (server, run) => {
    const error = await failure(classicLogin(input(server, run)));
    assert.equal(error.message, "Okta ended the login transaction");
  });
});

Deno.test("classicLogin: each terminal authn status has its own message", async () => {
  const cases: [Canned, string, string][] = [
    [
      { file: "error_E0000004.json", status: 401 },
      'Okta rejected the username or password for "alice@example.com"',
      'run "aws-okta add" to store the current password',
    ],
    [
      { file: "authn_locked_out.json" },
      'Okta account "alice@example.com" is locked out',
      "unlock it from Okta's sign-in page or ask your Okta admin",
    ],
    [
      { file: "authn_password_expired.json" },
      'the Okta password for "alice@example.com" has expired',
      'change it in the browser, then run "aws-okta add"',
    ],
    [
      { file: "authn_mfa_enroll.json" },
      "Okta requires enrolling an MFA factor first",
      "enroll one in the browser",
    ],
  ];
  for (const [canned, message, hint] of cases) {
    await scenario({ authn: [canned] }, {}, async (server, run) => {
      const error = await failure(classicLogin(input(server, run)));
      assert.equal(error.message, message);
      assert.equal(error.hint, hint);
    });
  }
});

Deno.test("classicLogin: an unknown status is reported by name", async () => {
  const server = await startServer(() => Response.json({ status: "RECOVERY", stateToken: STATE_TOKEN }));
  const run: Run = { prompter: scriptedPrompter(), debug: [], passwordAsked: 0 };
  try {
    const error = await failure(classicLogin(input(server, run)));
    assert.equal(error.message, 'Okta answered with status "RECOVERY", which aws-okta cannot handle');
  } finally {
    await server.close();
  }
});

Deno.test("classicLogin: the transaction expiring during MFA is a clear error without secrets", async () => {
  await scenario(
    {
      authn: [{ file: "authn_mfa_required.json" }],
      verify: [{ file: "push_waiting.json" }, { file: "error_E0000011.json", status: 401 }],
    },
    {},
    async (server, run) => {
      const error = await failure(classicLogin(input(server, run, { mfa: { factorType: "push" } })));
      assert.equal(error.message, "the Okta login took too long (transaction expired)");
    },
  );
});

Deno.test("classicLogin: the sign-in page after a fresh login points at aws_saml_url", async () => {
  await scenario({ app: "signin" }, {}, async (server, run) => {
    const error = await failure(classicLogin(input(server, run, { samlUrl: `/${APP_PATH}` })));
    assert.equal(error.message, "Okta answered the AWS app link with its sign-in page");
    assert.equal(error.hint, `check aws_saml_url ("${APP_PATH}")`);
  });
});

Deno.test("classicLogin: 403 is not assigned, 404 is no such app, others name the status", async () => {
  const cases: [403 | 404 | 500, string][] = [
    [403, `the Okta app "${APP_PATH}" is not assigned to "alice@example.com"`],
    [404, `Okta has no app at "${APP_PATH}"`],
    [500, `Okta answered the AWS app link "${APP_PATH}" with HTTP 500`],
  ];
  for (const [status, message] of cases) {
    await scenario({ app: status }, {}, async (server, run) => {
      const error = await failure(classicLogin(input(server, run)));
      assert.equal(error.message, message);
    });
    // With a stored session the page error is reported the same way, without asking for the password.
    const { run } = await scenario({ app: status, liveSid: STORED_SID }, {}, async (server, run) => {
      const error = await failure(classicLogin(input(server, run, { sessionCookie: STORED_SID })));
      assert.equal(error.message, message);
    });
    assert.equal(run.passwordAsked, 0);
  }
});

Deno.test("classicLogin: an absolute app link on the org works; one elsewhere is refused", async () => {
  await scenario({}, {}, async (server, run) => {
    const samlUrl = `${server.origin.origin}/${APP_PATH}`;
    assert.equal((await classicLogin(input(server, run, { samlUrl }))).samlResponse, samlBase64);
    const error = await failure(
      classicLogin(input(server, run, { samlUrl: `https://evil.example.com/${APP_PATH}` })),
    );
    assert.match(error.message, /another host "evil.example.com"/);
    await failure(classicLogin(input(server, run, { samlUrl: " " })));
  });
});

Deno.test("authenticate: password + MFA, then sessionCookieRedirect yields sid and DT", async () => {
  const { requests } = await scenario(
    {
      authn: [{ file: "authn_mfa_required.json" }],
      verify: [{ file: "authn_success.json" }],
    },
    { text: ["123456"] },
    async (server, run) => {
      const { samlUrl: _samlUrl, ...rest } = input(server, run, { mfa: { provider: "google" } });
      assert.deepEqual(await authenticate(rest), { sessionCookie: NEW_SID, deviceToken: NEW_DT });
    },
  );
  const redirect = requests.find((request) => request.path === "/login/sessionCookieRedirect");
  assert.equal(redirect?.query.get("token"), SESSION_TOKEN);
  assert.match(redirect?.query.get("redirectUrl") ?? "", /^http:\/\/127\.0\.0\.1:\d+\/app\/UserHome$/);
  assert.equal(requests.at(-1), redirect, "the dashboard behind the redirect is not loaded");
});

Deno.test("authenticate: the sign-in page is loaded for a DT cookie only when none is stored", async () => {
  for (const [deviceToken, pages] of [[undefined, 1], ["dt-stored", 0]] as const) {
    const { requests } = await scenario(
      { authn: [{ file: "error_E0000004.json", status: 401 }] },
      {},
      async (server, run) => {
        const { samlUrl: _samlUrl, ...rest } = input(server, run, deviceToken ? { deviceToken } : {});
        await failure(authenticate(rest));
      },
    );
    const signIn = requests.filter((request) => request.path.startsWith("/login/login.htm"));
    assert.equal(signIn.length, pages, `device token ${deviceToken}`);
    const [authn] = authnCalls(requests);
    if (deviceToken) assert.match(authn?.headers.get("cookie") ?? "", /DT=dt-stored/);
  }
});

Deno.test("authenticate: a wrong password is refused before any redirect", async () => {
  const { requests } = await scenario(
    { authn: [{ file: "error_E0000004.json", status: 401 }] },
    {},
    async (server, run) => {
      const { samlUrl: _samlUrl, ...rest } = input(server, run);
      const error = await failure(authenticate(rest));
      assert.match(error.message, /^Okta rejected the username or password/);
    },
  );
  // The sign-in page (for a DT cookie), then the refused authn and nothing more.
  assert.deepEqual(requests.map((request) => request.path.replace(/\?.*$/, "")), [
    "/login/login.htm",
    "/api/v1/authn",
  ]);
});
