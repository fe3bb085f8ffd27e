import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { createFetch, type Fetch } from "../net/fetch.ts";
import type { AwsCredentials } from "./credentials.ts";
import { assumeRole, assumeRoleWithSaml, getCallerIdentity, type StsContext, StsError } from "./sts.ts";
import { samlAssertion } from "../../tests/fixtures/sts/saml_assertion.ts";
import { requirePeer, startMoto } from "../../tests/peers.ts";

const FIXTURES = new URL("../../tests/fixtures/sts/", import.meta.url);

/** One canned answer of the loopback STS. */
interface Canned {
  status: number;
  /** A file under tests/fixtures/sts/, or literal body text. */
  file?: string;
  body?: string;
  contentType?: string;
}

/** What the loopback STS saw of one request. */
interface Seen {
  method: string;
  headers: Headers;
  params: URLSearchParams;
}

/** A loopback STS that answers the canned responses in order (the last one repeats). */
async function withCannedSts(
  answers: Canned[],
  fn: (url: string, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    seen.push({
      method: request.method,
      headers: request.headers,
      params: new URLSearchParams(await request.text()),
    });
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
    const body = answer.body ?? await Deno.readTextFile(new URL(answer.file!, FIXTURES));
    const contentType = answer.contentType ?? (answer.file?.endsWith(".html") ? "text/html" : "text/xml");
    return new Response(body, {
      status: answer.status,
      headers: { "content-type": contentType, "x-amzn-requestid": "req-1" },
    });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

/** Context whose fetch counts calls and whose debug lines are kept for secret checks. */
function context(endpoint: string, options: { region?: string; timeoutMs?: number } = {}) {
  const lines: string[] = [];
  const debug = (line: string) => lines.push(line);
  const base = createFetch({ debug, timeoutMs: options.timeoutMs ?? 10_000 });
  const calls = { count: 0 };
  const fetch: Fetch = (input, init) => {
    calls.count++;
    return base(input, init);
  };
  const env = new Map([["AWS_ENDPOINT_URL_STS", endpoint]]);
  const ctx: StsContext = { fetch, env: { get: (name) => env.get(name) }, debug };
  if (options.region) ctx.region = options.region;
  return { ctx, lines, calls };
}

const ROLE = "arn:aws:iam::111111111111:role/Engineer";
const PROVIDER = "arn:aws:iam::111111111111:saml-provider/Okta";
const TARGET = "arn:aws:iam::333333333333:role/CrossAccountAdmin";
// Holds "+" and "/" so the test sees whether form encoding kept them.
const ASSERTION = "PD94bWwgdmVyc2lvbj0iMS4wIj8+PHNhbWwycDpSZXNwb25zZT4/Pz8+Lz8/Lw==";
const CALLER: AwsCredentials = {
  accessKeyId: "ASIACALLERKEY0000001",
  secretAccessKey: "callerSecretAccessKey/0000000000000000000",
  sessionToken: "IQoJcallerSessionTokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+/=",
  expiration: new Date("2099-01-01T00:00:00Z"),
};
const SECRETS = [ASSERTION, CALLER.secretAccessKey, CALLER.sessionToken];

function saml(ctx: StsContext, durationSeconds = 3600) {
  return assumeRoleWithSaml(ctx, {
    roleArn: ROLE,
    principalArn: PROVIDER,
    samlAssertion: ASSERTION,
    durationSeconds,
  });
}

function chain(ctx: StsContext, externalId?: string) {
  return assumeRole(ctx, CALLER, {
    roleArn: TARGET,
    roleSessionName: "alice@example.com",
    durationSeconds: 3600,
    ...(externalId === undefined ? {} : { externalId }),
  });
}

function includes(text: string, part: string): void {
  assert.ok(text.includes(part), `expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`);
}

/** Awaits a rejection of the given class and returns the error. */
async function rejection<E extends Error>(
  run: () => Promise<unknown>,
  errorClass: new (...args: never[]) => E,
): Promise<E> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${error}`);
    return error;
  }
  throw new assert.AssertionError({ message: `expected a ${errorClass.name} rejection` });
}

function assertNoSecrets(texts: string[]) {
  for (const text of texts) {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `secret leaked into: ${text}`);
  }
}

Deno.test("assumeRoleWithSaml sends an unsigned form through the injected fetch and reads the credentials", async () => {
  await withCannedSts([{ status: 200, file: "assume_role_with_saml.xml" }], async (url, seen) => {
    const { ctx, lines, calls } = context(url);
    const creds = await saml(ctx, 7200);
    assert.deepEqual(creds, {
      accessKeyId: "ASIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
      sessionToken: "IQoJb3JpZ2luX2VjEXAMPLEsessiontoken",
      expiration: new Date(Date.UTC(2024, 4, 1, 13, 0, 0)),
      assumedRoleArn: "arn:aws:sts::111111111111:assumed-role/Engineer/alice@example.com",
    });
    assert.deepEqual(seen.length, 1);
    assert.deepEqual(calls.count, 1);
    const request = seen[0]!;
    assert.deepEqual(request.method, "POST");
    assert.deepEqual(request.params.get("Action"), "AssumeRoleWithSAML");
    assert.deepEqual(request.params.get("Version"), "2011-06-15");
    assert.deepEqual(request.params.get("RoleArn"), ROLE);
    assert.deepEqual(request.params.get("PrincipalArn"), PROVIDER);
    assert.deepEqual(request.params.get("SAMLAssertion"), ASSERTION);
    assert.deepEqual(request.params.get("DurationSeconds"), "7200");
    assert.deepEqual(request.headers.get("authorization"), null);
    assertNoSecrets(lines);
    assert.ok(
      lines.some((line) => line.startsWith("http: POST http://127.0.0.1:")),
      "fetch stack logged the call",
    );
  });
});

Deno.test("assumeRole signs with the caller's credentials for the endpoint region and accepts fractional expirations", async () => {
  await withCannedSts([{ status: 200, file: "assume_role_ms.xml" }], async (url, seen) => {
    const { ctx, lines, calls } = context(url, { region: "eu-central-1" });
    const creds = await chain(ctx, "ext-123");
    assert.deepEqual(creds.expiration.getTime(), Date.UTC(2024, 4, 1, 13, 0, 0, 250));
    assert.deepEqual(creds.assumedRoleArn, "arn:aws:sts::222222222222:assumed-role/Deploy/alice");
    assert.deepEqual(calls.count, 1);
    const request = seen[0]!;
    assert.deepEqual(request.params.get("Action"), "AssumeRole");
    assert.deepEqual(request.params.get("RoleSessionName"), "alice@example.com");
    assert.deepEqual(request.params.get("ExternalId"), "ext-123");
    const authorization = request.headers.get("authorization") ?? "";
    includes(authorization, `Credential=${CALLER.accessKeyId}/`);
    includes(authorization, "/eu-central-1/sts/aws4_request");
    assert.deepEqual(request.headers.get("x-amz-security-token"), CALLER.sessionToken);
    assertNoSecrets(lines);
  });
});

Deno.test("getCallerIdentity returns arn, account and user id", async () => {
  await withCannedSts([{ status: 200, file: "get_caller_identity.xml" }], async (url, seen) => {
    const { ctx } = context(url);
    assert.deepEqual(await getCallerIdentity(ctx, CALLER), {
      arn: "arn:aws:sts::111111111111:assumed-role/Engineer/alice@example.com",
      account: "111111111111",
      userId: "AROA3XFRBF535PLBIFPI4:alice@example.com",
    });
    assert.deepEqual(seen[0]!.params.get("Action"), "GetCallerIdentity");
    includes(seen[0]!.headers.get("authorization") ?? "", "/us-east-1/sts/aws4_request");
  });
});

/** Each STS error code → the one-line message and hint the user sees. */
const ERROR_CASES: {
  file: string;
  status: number;
  call: "saml" | "chain" | "identity";
  code: string;
  message: string;
  hint?: string;
}[] = [
  {
    file: "access_denied_saml.xml",
    status: 403,
    call: "saml",
    code: "AccessDenied",
    message: `AWS denied AssumeRoleWithSAML for "${ROLE}": Not authorized to perform sts:AssumeRoleWithSAML`,
    hint: `check that the role trusts the SAML provider "${PROVIDER}"`,
  },
  {
    file: "access_denied.xml",
    status: 403,
    call: "chain",
    code: "AccessDenied",
    message: `AWS denied AssumeRole for "${TARGET}": User: arn:aws:sts::111111111111:assumed-role/OktaBase/` +
      `alice@example.com is not authorized to perform: sts:AssumeRole on resource: ${TARGET}`,
    hint: `check the trust policy of "${TARGET}" (and external_id)`,
  },
  {
    file: "validation_chaining.xml",
    status: 400,
    call: "chain",
    code: "ValidationError",
    message: `AWS rejected AssumeRole for "${TARGET}": The requested DurationSeconds exceeds the 1 hour ` +
      "session limit for roles assumed by role chaining",
    hint: "role chaining is capped at 1 hour: set assume_role_ttl (or duration_seconds) to 1h or less",
  },
  {
    file: "validation_max_session.xml",
    status: 400,
    call: "saml",
    code: "ValidationError",
    message: `AWS rejected AssumeRoleWithSAML for "${ROLE}": The requested DurationSeconds exceeds the ` +
      "MaxSessionDuration set for this role",
    hint: "lower session_ttl (or duration_seconds), or raise the role's maximum session duration in IAM",
  },
  {
    file: "validation_duration_range.xml",
    status: 400,
    call: "chain",
    code: "ValidationError",
    message: `AWS rejected AssumeRole for "${TARGET}": 1 validation error detected: Value '50000' at ` +
      "'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
    hint: "session lengths must be between 15m and 12h: check assume_role_ttl and duration_seconds",
  },
  {
    file: "invalid_identity_token.xml",
    status: 400,
    call: "saml",
    code: "InvalidIdentityToken",
    message:
      `AWS rejected the SAML assertion for AssumeRoleWithSAML for "${ROLE}": Specified provider doesn't exist`,
    hint: `check that the IAM SAML provider "${PROVIDER}" holds the metadata of this Okta app`,
  },
  {
    file: "idp_rejected_claim.xml",
    status: 403,
    call: "saml",
    code: "IDPRejectedClaim",
    message: `AWS refused the claims of the SAML assertion for AssumeRoleWithSAML for "${ROLE}": ` +
      "Invalid SAML response: signature does not match the provider metadata",
  },
  {
    file: "expired_token_exception.xml",
    status: 400,
    call: "saml",
    code: "ExpiredTokenException",
    message: `the SAML assertion for "${ROLE}" expired before AWS received it`,
    hint: "check that the computer's clock is correct, then log in again",
  },
  {
    file: "expired_token.xml",
    status: 400,
    call: "chain",
    code: "ExpiredToken",
    message: `AWS refused AssumeRole for "${TARGET}": the session credentials sent with it have expired`,
    hint: "log in again to get fresh credentials",
  },
  {
    file: "invalid_client_token_id.xml",
    status: 403,
    call: "identity",
    code: "InvalidClientTokenId",
    message: "AWS does not recognise the credentials sent with GetCallerIdentity: The security token " +
      "included in the request is invalid",
  },
  {
    file: "signature_does_not_match.xml",
    status: 403,
    call: "chain",
    code: "SignatureDoesNotMatch",
    message: `AWS rejected the request signature of AssumeRole for "${TARGET}": Signature expired: ` +
      "20240501T120000Z is now earlier than 20240501T121500Z (20240501T122000Z - 5 min.)",
    hint: "check that the computer's clock is correct (AWS allows 15 minutes of clock skew)",
  },
  {
    file: "region_disabled.xml",
    status: 403,
    call: "saml",
    code: "RegionDisabledException",
    message: `STS is not activated in region "us-east-1" for AssumeRoleWithSAML for "${ROLE}": STS is not ` +
      "activated in this region for account:111111111111. Your account administrator can activate STS in " +
      "this region using the IAM Console",
  },
  {
    file: "malformed_policy.xml",
    status: 400,
    call: "saml",
    code: "MalformedPolicyDocument",
    message:
      `AWS STS rejected AssumeRoleWithSAML for "${ROLE}": MalformedPolicyDocument: The policy is not ` +
      "in the valid JSON format & cannot be parsed <here>",
  },
];

for (const c of ERROR_CASES) {
  Deno.test(`STS error ${c.file} becomes one line naming the action and role`, async () => {
    await withCannedSts([{ status: c.status, file: c.file }], async (url, seen) => {
      const { ctx, lines } = context(url);
      const run = c.call === "saml"
        ? saml(ctx)
        : c.call === "chain"
        ? chain(ctx)
        : getCallerIdentity(ctx, CALLER);
      const error = await rejection(() => run, StsError);
      assert.deepEqual(error.message, c.message);
      assert.deepEqual(error.code, c.code);
      assert.deepEqual(error.status, c.status);
      if (c.hint !== undefined) assert.deepEqual(error.hint, c.hint);
      else assert.ok(error.hint, "every STS error carries a hint");
      assert.ok(!error.message.includes("\n"));
      assert.ok(!error.message.endsWith("."));
      assert.deepEqual(seen.length, 1, "client errors are not retried");
      assertNoSecrets([error.message, error.hint ?? "", ...lines]);
      assert.ok(
        lines.some((line) => line.includes(`HTTP ${c.status} ${c.code}`)),
        "debug line names the code",
      );
    });
  });
}

Deno.test("a proxy's HTML 502 is reported as a non-AWS body after the SDK's retries", async () => {
  await withCannedSts([{ status: 502, file: "proxy_502.html" }], async (url, seen) => {
    const { ctx, calls } = context(url);
    const error = await rejection(() => saml(ctx), StsError);
    assert.deepEqual(
      error.message,
      `STS answered HTTP 502 with a non-AWS body to AssumeRoleWithSAML for "${ROLE}"`,
    );
    includes(error.hint ?? "", "HTTPS_PROXY");
    assert.deepEqual(error.status, 502);
    assert.deepEqual(seen.length, 3);
    assert.deepEqual(calls.count, 3);
  });
});

Deno.test("an HTML page with status 200 is not mistaken for credentials", async () => {
  await withCannedSts([{ status: 200, file: "proxy_502.html" }], async (url) => {
    const { ctx } = context(url);
    const error = await rejection(() => saml(ctx), AppError);
    assert.deepEqual(
      error.message,
      `STS answered HTTP 200 with a non-AWS body to AssumeRoleWithSAML for "${ROLE}"`,
    );
  });
});

Deno.test("an STS answer without a session token is an error, not half a credential", async () => {
  const body = (await Deno.readTextFile(new URL("assume_role_ms.xml", FIXTURES)))
    .replace(/<SessionToken>[^<]*<\/SessionToken>/, "");
  await withCannedSts([{ status: 200, body }], async (url) => {
    const { ctx } = context(url);
    const error = await rejection(() => chain(ctx), AppError);
    assert.equal(error.message, `STS answered AssumeRole for "${TARGET}" without complete credentials`);
    assert.equal(
      error.hint,
      "check that 127.0.0.1:" + new URL(url).port + " is an STS endpoint (AWS_ENDPOINT_URL_STS)",
    );
  });
});

Deno.test("AWS 5xx errors are retried, then reported with the code", async () => {
  await withCannedSts([{ status: 503, file: "service_unavailable.xml" }], async (url, seen) => {
    const { ctx } = context(url);
    const error = await rejection(() => chain(ctx), StsError);
    assert.deepEqual(
      error.message,
      `AWS STS failed with HTTP 503 (ServiceUnavailable) for AssumeRole for "${TARGET}": ` +
        "Service is unavailable, please try again",
    );
    assert.deepEqual(seen.length, 3);
  });
});

Deno.test("a Throttling answer is retried and the retry's credentials are returned", async () => {
  await withCannedSts(
    [{ status: 400, file: "throttling.xml" }, { status: 200, file: "assume_role_with_saml.xml" }],
    async (url, seen) => {
      const { ctx, calls } = context(url);
      const creds = await saml(ctx);
      assert.deepEqual(creds.accessKeyId, "ASIAIOSFODNN7EXAMPLE");
      assert.deepEqual(seen.length, 2);
      assert.deepEqual(calls.count, 2);
    },
  );
});

Deno.test("Throttling on every attempt ends in a one-line throttling error", async () => {
  await withCannedSts([{ status: 400, file: "throttling.xml" }], async (url, seen) => {
    const { ctx } = context(url);
    const error = await rejection(() => saml(ctx), StsError);
    assert.deepEqual(error.message, `AWS STS throttled the request: AssumeRoleWithSAML for "${ROLE}"`);
    assert.deepEqual(error.hint, "try again shortly");
    assert.deepEqual(seen.length, 3);
  });
});

Deno.test("secrets echoed in an AWS error message are masked", async () => {
  const body = `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>
    <Message>The Canonical String for this request should have been 'POST / x-amz-security-token:${CALLER.sessionToken}
    ${CALLER.secretAccessKey}'</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
  await withCannedSts([{ status: 403, body }], async (url) => {
    const { ctx, lines } = context(url);
    const error = await rejection(() => chain(ctx), StsError);
    includes(error.message, "The Canonical String for this request should have been");
    includes(error.message, "***");
    assert.ok(!error.message.includes("\n"));
    assertNoSecrets([error.message, ...lines]);
  });
});

Deno.test("a server that never answers fails with our fetch timeout, not a hang", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) open.push(conn);
  })();
  try {
    const { ctx, calls } = context(`http://127.0.0.1:${listener.addr.port}`, { timeoutMs: 200 });
    const error = await rejection(() => saml(ctx), AppError);
    includes(error.message, `127.0.0.1:${listener.addr.port} did not answer within`);
    includes(error.hint ?? "", "proxy");
    assert.deepEqual(calls.count, 1, "a timeout is not retried three times over");
  } finally {
    listener.close();
    for (const conn of open) conn.close();
    await accepting.catch(() => {});
  }
});

Deno.test("a refused connection is reported by the fetch stack", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const { ctx } = context(`http://127.0.0.1:${port}`);
  const error = await rejection(() => saml(ctx), AppError);
  assert.deepEqual(error.message, `connection to 127.0.0.1:${port} refused`);
});

Deno.test("the regional endpoint is used when no override is set", async () => {
  // No network: a fetch that records the URL and answers like STS.
  const urls: string[] = [];
  const body = await Deno.readTextFile(new URL("get_caller_identity.xml", FIXTURES));
  const ctx: StsContext = {
    fetch: (input) => {
      urls.push(String(input));
      return Promise.resolve(new Response(body, { headers: { "content-type": "text/xml" } }));
    },
    env: { get: () => undefined },
    region: "ap-southeast-2",
  };
  await getCallerIdentity(ctx, CALLER);
  assert.deepEqual(urls, ["https://sts.ap-southeast-2.amazonaws.com/"]);
});

Deno.test("the SDK takes none of its settings from the AWS environment or ~/.aws/config", async () => {
  const home = await Deno.makeTempDir({ prefix: "aws-okta-sts-" });
  try {
    await Deno.mkdir(`${home}/.aws`);
    await Deno.writeTextFile(
      `${home}/.aws/config`,
      "[default]\nmax_attempts = 1\nretry_mode = bogus\nregion = eu-west-9\ndefaults_mode = bogus\n",
    );
    // Settings the SDK would honour if it looked them up itself: one attempt only (so the retry
    // below would fail), and invalid modes that make it throw when read.
    await withCannedSts(
      [{ status: 400, file: "throttling.xml" }, { status: 200, file: "assume_role_with_saml.xml" }],
      async (url, seen) => {
        const env: Record<string, string> = {
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
          HOME: home,
          AWS_ENDPOINT_URL_STS: url,
          AWS_MAX_ATTEMPTS: "1",
          AWS_RETRY_MODE: "bogus",
          AWS_DEFAULTS_MODE: "bogus",
          AWS_PROFILE: "missing",
          AWS_REGION: "eu-west-9",
          AWS_SDK_UA_APP_ID: "should-not-appear",
        };
        const denoDir = Deno.env.get("DENO_DIR");
        if (denoDir) env.DENO_DIR = denoDir;
        else env.XDG_CACHE_HOME = `${Deno.env.get("HOME")}/.cache`;
        // What the child needs to fetch an npm package this process has not loaded (a custom CA), and
        // what every Windows process needs (Winsock wants SystemRoot).
        for (const name of ["DENO_CERT", "SystemRoot", "TEMP"]) {
          const value = Deno.env.get(name);
          if (value !== undefined) env[name] = value;
        }
        const output = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-P=test", "--quiet", "tests/fixtures/sts/saml_login.ts"],
          cwd: fileURLToPath(new URL("../../", import.meta.url)),
          clearEnv: true,
          env,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stderr = new TextDecoder().decode(output.stderr);
        assert.equal(output.code, 0, stderr);
        assert.equal(
          new TextDecoder().decode(output.stdout).trim(),
          "arn:aws:sts::111111111111:assumed-role/Engineer/alice@example.com",
        );
        assert.equal(seen.length, 2, "retried although AWS_MAX_ATTEMPTS=1");
        assert.ok(!(seen[1]!.headers.get("user-agent") ?? "").includes("should-not-appear"));
      },
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Against a real moto_server: the SDK's wire format, signing and parsing end to end.

const MOTO = requirePeer("moto_server", "pip install 'moto[server]'");

async function withMoto(fn: (url: string) => Promise<void>): Promise<void> {
  const moto = await startMoto(MOTO!);
  try {
    await fn(moto.url);
  } finally {
    await moto.close();
  }
}

Deno.test({
  name: "moto: AssumeRoleWithSAML, then a signed AssumeRole chain, then GetCallerIdentity",
  ignore: MOTO === undefined,
  fn: async () => {
    await withMoto(async (url) => {
      const { ctx, lines, calls } = context(url);
      const account = "123456789012";
      const assertion = samlAssertion({
        account,
        roleName: "Engineer",
        providerName: "Okta",
        sessionName: "alice@example.com",
      });
      const first = await assumeRoleWithSaml(ctx, {
        roleArn: `arn:aws:iam::${account}:role/Engineer`,
        principalArn: `arn:aws:iam::${account}:saml-provider/Okta`,
        samlAssertion: assertion,
        durationSeconds: 3600,
      });
      assert.deepEqual(
        first.assumedRoleArn,
        `arn:aws:sts::${account}:assumed-role/Engineer/alice@example.com`,
      );
      assert.ok(first.accessKeyId.startsWith("ASIA"), "temporary access key");
      assert.ok(first.expiration.getTime() > Date.now(), "expires in the future");

      const second = await assumeRole(ctx, first, {
        roleArn: `arn:aws:iam::${account}:role/Deploy`,
        roleSessionName: "alice",
        durationSeconds: 900,
      });
      assert.deepEqual(second.assumedRoleArn, `arn:aws:sts::${account}:assumed-role/Deploy/alice`);
      assert.ok(second.accessKeyId !== first.accessKeyId, "a new session");

      const identity = await getCallerIdentity(ctx, second);
      assert.deepEqual(identity.arn, `arn:aws:sts::${account}:assumed-role/Deploy/alice`);
      assert.deepEqual(identity.account, account);
      includes(identity.userId, ":alice");
      assert.deepEqual(calls.count, 3);

      for (const line of lines) {
        for (const secret of [assertion, first.secretAccessKey, first.sessionToken, second.sessionToken]) {
          assert.ok(!line.includes(secret), `secret leaked into: ${line}`);
        }
      }
      assert.ok(first.expiration instanceof Date);
    });
  },
});
