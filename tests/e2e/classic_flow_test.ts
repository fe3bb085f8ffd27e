/**
 * The classic aws-okta flow end to end: the real CLI as a subprocess against the Okta and STS
 * simulators, with the encrypted file keyring in a temporary HOME.
 */

import assert from "node:assert/strict";
import {
  assertIncludes,
  createWorld,
  expectCode,
  forgetDevices,
  resetCounts,
  samlUrlOf,
  type World,
} from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const READ_ONLY = "arn:aws:iam::123456789012:role/ReadOnly";
const ADMIN = "arn:aws:iam::123456789012:role/Admin";
const AUDIT = "arn:aws:iam::210987654321:role/Audit";

function baseConfig(world: World): string {
  return `[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
okta_aws_role_arn = ${ENGINEER}
region = us-west-2
credential_process = aws-okta cred-process dev

[profile admin]
source_profile = dev
role_arn = ${ADMIN}

[profile audit]
source_profile = admin
role_arn = ${AUDIT}
external_id = audit-ext
role_session_name = auditor
`;
}

async function setUp(): Promise<World> {
  const world = await createWorld();
  await world.writeConfig(baseConfig(world));
  expectCode(await world.add(), 0);
  world.sim.reset();
  forgetDevices(world.sim);
  return world;
}

/** Total requests the simulators saw (counts of sent pushes and issued assertions are not requests). */
function requests(world: World): number {
  return Object.entries(world.sim.counts())
    .filter(([key]) => !key.startsWith("push:") && !key.startsWith("saml:"))
    .reduce((sum, [, n]) => sum + n, 0);
}

Deno.test("add checks the password with a real login and stores it; a wrong one stores nothing", async () => {
  const world = await createWorld();
  try {
    const bad = await world.add([], "wrong password");
    expectCode(bad, 1);
    assertIncludes(bad.stderr, 'Okta rejected the username or password for "alice@example.com"');
    assert.deepStrictEqual(bad.stdout, "");
    const stored = await Array.fromAsync(Deno.readDir(`${world.home}/.aws-okta`)).catch(() => []);
    assert.deepStrictEqual(stored.map((e) => e.name).filter((n) => n.startsWith("okta-creds")), []);

    const good = await world.add();
    expectCode(good, 0);
    assert.deepStrictEqual(good.stdout, "");
    assertIncludes(good.stderr, "Added credentials for user alice@example.com");
    assert.deepStrictEqual(world.sim.count("push:sent"), 1);
    const names = (await Array.fromAsync(Deno.readDir(`${world.home}/.aws-okta`))).map((e) => e.name).sort();
    assert.ok(names.includes("okta-creds"), `keyring files: ${names}`);
    const info = await Deno.stat(`${world.home}/.aws-okta/okta-creds`);
    // Windows has no Unix modes (the file sits in the user's profile, which only the user may read).
    if (Deno.build.os !== "windows") {
      assert.deepStrictEqual(info.mode! & 0o777, 0o600);
      assert.deepStrictEqual((await Deno.stat(`${world.home}/.aws-okta`)).mode! & 0o777, 0o700);
    }
  } finally {
    await world.close();
  }
});

Deno.test("add asks every question on stderr when no flags are given, reading answers from stdin", async () => {
  const world = await createWorld();
  try {
    const user = world.sim.state.users[0]!;
    // organization, region, domain, username, password
    const result = await world.run(["add", "--account", "work"], {
      stdin: `acme\nus\n${world.sim.url}\n${user.login}\n${user.password}\n`,
    });
    expectCode(result, 0);
    for (
      const question of ["Okta organization", "Okta region", "Okta domain [acme.okta.com]", "Okta username"]
    ) {
      assertIncludes(result.stderr, question);
    }
    assertIncludes(result.stderr, 'keyring item "okta-creds-work"');
    assert.deepStrictEqual(result.stdout, "");
  } finally {
    await world.close();
  }
});

Deno.test("add refuses a plain-http domain that is not loopback", async () => {
  const world = await createWorld();
  try {
    const result = await world.run(["add", "--domain", "http://acme.okta.com", "--username", "a"], {
      stdin: "pw\n",
    });
    assert.notDeepStrictEqual(result.code, 0);
    assertIncludes(result.stderr, "http://acme.okta.com");
    assert.deepStrictEqual(world.sim.count("POST /api/v1/authn"), 0);
  } finally {
    await world.close();
  }
});

Deno.test("cred-process: Okta session from add reused, then served from the cache with no request", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(baseConfig(world));
    expectCode(await world.add(), 0);
    const authnBefore = world.sim.count("POST /api/v1/authn");

    const cold = await world.run(["cred-process", "dev"]);
    expectCode(cold, 0);
    // add's Okta session is reused: no second password login and no second push.
    assert.deepStrictEqual(world.sim.count("POST /api/v1/authn"), authnBefore);
    assert.deepStrictEqual(world.sim.count("push:sent"), 1);
    assert.deepStrictEqual(world.sim.count("sts:AssumeRoleWithSAML"), 1);

    const json = JSON.parse(cold.stdout);
    assert.deepStrictEqual(Object.keys(json), [
      "Version",
      "AccessKeyId",
      "SecretAccessKey",
      "SessionToken",
      "Expiration",
    ]);
    assert.deepStrictEqual(json.Version, 1);
    assert.match(json.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
    assert.match(json.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepStrictEqual(
      cold.stdout,
      JSON.stringify(json) + "\n",
      "stdout holds the JSON and nothing else",
    );
    const issued = world.sim.state.credentials.get(json.AccessKeyId);
    assert.deepStrictEqual(issued?.roleArn, ENGINEER);

    world.sim.reset();
    const warm = await world.run(["cred-process", "dev"]);
    expectCode(warm, 0);
    assert.deepStrictEqual(warm.stdout, cold.stdout);
    assert.deepStrictEqual(warm.stderr, "");
    assert.deepStrictEqual(requests(world), 0);

    const pretty = await world.run(["cred-process", "-p", "dev"]);
    assert.deepStrictEqual(JSON.parse(pretty.stdout), json);
    assert.ok(pretty.stdout.includes('\n    "AccessKeyId"'), pretty.stdout);
  } finally {
    await world.close();
  }
});

Deno.test("cred-process on a cache hit loads no npm module", async () => {
  const world = await setUp();
  try {
    expectCode(await world.run(["cred-process", "dev"]), 0);
    // --no-npm makes any npm import throw: the cache-hit path must not need one.
    const { CONFIG, MAIN } = await import("./harness.ts");
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "--no-npm", "-P=aws-okta", "--config", CONFIG, MAIN, "cred-process", "dev"],
      env: world.env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.deepStrictEqual(new TextDecoder().decode(output.stderr), "");
    assert.deepStrictEqual(output.code, 0);
  } finally {
    await world.close();
  }
});

Deno.test("password + Okta Verify push when there is no Okta session; the number challenge is shown", async () => {
  const world = await setUp();
  try {
    world.sim.state.users[0]!.factors[0]!.push = { decision: "approve", afterPolls: 2, correctAnswer: 42 };
    const result = await world.run(["cred-process", "dev"]);
    expectCode(result, 0);
    assert.deepStrictEqual(world.sim.count("POST /api/v1/authn"), 1);
    assert.deepStrictEqual(world.sim.count("push:sent"), 1);
    assertIncludes(result.stderr, "42");
    assert.deepStrictEqual(JSON.parse(result.stdout).Version, 1);
  } finally {
    await world.close();
  }
});

Deno.test("TOTP chosen by flag, env or config; the code is read from the prompt", async () => {
  const world = await setUp();
  try {
    world.sim.state.users[0]!.factors.push({
      id: "ost1totpAAAAAAAAAAA1",
      factorType: "token:software:totp",
      provider: "GOOGLE",
      code: "246810",
    });
    forgetDevices(world.sim);
    const byFlag = await world.run(
      ["cred-process", "--mfa-provider", "google", "--mfa-factor-type", "token:software:totp", "dev"],
      { stdin: "246810\n" },
    );
    expectCode(byFlag, 0);
    assert.deepStrictEqual(world.sim.count("push:sent"), 0);

    world.sim.reset();
    forgetDevices(world.sim);
    const byEnv = await world.run(["cred-process", "--refresh", "dev"], {
      stdin: "246810\n",
      env: { AWS_OKTA_MFA_PROVIDER: "GOOGLE", AWS_OKTA_MFA_FACTOR_TYPE: "token:software:totp" },
    });
    expectCode(byEnv, 0);
    assert.deepStrictEqual(world.sim.count("push:sent"), 0);

    world.sim.reset();
    forgetDevices(world.sim);
    await world.writeConfig(
      baseConfig(world).replace(
        "[okta]\n",
        "[okta]\nmfa_provider = GOOGLE\nmfa_factor_type = token:software:totp\n",
      ),
    );
    const byConfig = await world.run(["cred-process", "--refresh", "dev"], { stdin: "246810\n" });
    expectCode(byConfig, 0);
    assert.deepStrictEqual(world.sim.count("push:sent"), 0);

    world.sim.reset();
    forgetDevices(world.sim);
    // Two factors and no preference: a prompt lists them; "2" picks the TOTP factor.
    await world.writeConfig(baseConfig(world));
    const byPrompt = await world.run(["cred-process", "--refresh", "dev"], { stdin: "2\n246810\n" });
    expectCode(byPrompt, 0);
    assertIncludes(byPrompt.stderr, "GOOGLE (token:software:totp)");
    assertIncludes(byPrompt.stderr, "OKTA (push)");
  } finally {
    await world.close();
  }
});

Deno.test("role chain of any depth: every hop cached, external_id and role_session_name sent", async () => {
  const world = await setUp();
  try {
    world.sim.state.roles[AUDIT] = { externalId: "audit-ext", trusts: [ADMIN] };
    const audit = await world.run(["cred-process", "audit"]);
    expectCode(audit, 0);
    assert.deepStrictEqual(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    assert.deepStrictEqual(world.sim.count("sts:AssumeRole"), 2);
    const creds = world.sim.state.credentials.get(JSON.parse(audit.stdout).AccessKeyId)!;
    assert.deepStrictEqual(creds.roleArn, AUDIT);
    assert.deepStrictEqual(creds.externalId, "audit-ext");
    assert.deepStrictEqual(creds.roleSessionName, "auditor");

    // admin and dev are on the way to audit: both are cached now.
    world.sim.reset();
    expectCode(await world.run(["cred-process", "admin"]), 0);
    expectCode(await world.run(["cred-process", "dev"]), 0);
    assert.deepStrictEqual(requests(world), 0);
  } finally {
    await world.close();
  }
});

Deno.test("a profile with role_arn and no source_profile names its SAML role (segmentio configs keep working)", async () => {
  const world = await setUp();
  try {
    await world.writeConfig(
      `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n\n[profile legacy]\nrole_arn = ${READ_ONLY}\n`,
    );
    const result = await world.run(["cred-process", "legacy"]);
    expectCode(result, 0);
    assert.deepStrictEqual(
      world.sim.state.credentials.get(JSON.parse(result.stdout).AccessKeyId)?.roleArn,
      READ_ONLY,
    );
    assert.deepStrictEqual(world.sim.count("sts:AssumeRole"), 0);
  } finally {
    await world.close();
  }
});

Deno.test("several roles and none configured: a prompt grouped by account picks one", async () => {
  const world = await setUp();
  try {
    await world.writeConfig(
      `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n\n[profile pick]\nregion = eu-west-1\n`,
    );
    const result = await world.run(["cred-process", "pick"], { stdin: "2\n" });
    expectCode(result, 0);
    assertIncludes(result.stderr, "123456789012  Engineer");
    assertIncludes(result.stderr, "123456789012  ReadOnly");
    assert.deepStrictEqual(
      world.sim.state.credentials.get(JSON.parse(result.stdout).AccessKeyId)?.roleArn,
      READ_ONLY,
    );
  } finally {
    await world.close();
  }
});

Deno.test("session length: -t > AWS_SESSION_TTL > session_ttl > the app's SessionDuration > 1h", async () => {
  const world = await setUp();
  try {
    world.sim.state.users[0]!.apps[0]!.sessionDuration = 7200;
    world.sim.state.roles[ENGINEER] = { maxSessionDuration: 43200 };
    const lifetime = async (args: string[], env: Record<string, string> = {}) => {
      const result = await world.run(["cred-process", "--refresh", ...args, "dev"], { env });
      expectCode(result, 0);
      const creds = world.sim.state.credentials.get(JSON.parse(result.stdout).AccessKeyId)!;
      return creds.durationSeconds;
    };
    assert.deepStrictEqual(await lifetime([]), 7200);
    await world.writeConfig(
      baseConfig(world).replace("region = us-west-2", "region = us-west-2\nsession_ttl = 3h"),
    );
    assert.deepStrictEqual(await lifetime([]), 10800);
    assert.deepStrictEqual(await lifetime([], { AWS_SESSION_TTL: "90m" }), 5400);
    assert.deepStrictEqual(await lifetime(["-t", "2h30m"], { AWS_SESSION_TTL: "90m" }), 9000);
    world.sim.state.users[0]!.apps[0]!.sessionDuration = undefined as unknown as number;
    delete world.sim.state.users[0]!.apps[0]!.sessionDuration;
    await world.writeConfig(baseConfig(world));
    assert.deepStrictEqual(await lifetime([]), 3600);
  } finally {
    await world.close();
  }
});

Deno.test("near expiry (AWS_OKTA_MIN_TTL) and --refresh log in again, reusing the Okta session", async () => {
  const world = await setUp();
  try {
    // STS's clock 50 minutes behind: the 1 h credentials expire 10 minutes from now.
    world.sim.advanceClock(-50 * 60_000);
    const first = await world.run(["cred-process", "dev"]);
    expectCode(first, 0);
    world.sim.advanceClock(50 * 60_000);
    resetCounts(world.sim);
    // Fresh for the default 5 minutes of headroom, stale for 15.
    expectCode(await world.run(["cred-process", "dev"]), 0);
    assert.deepStrictEqual(requests(world), 0);
    const stale = await world.run(["cred-process", "dev"], { env: { AWS_OKTA_MIN_TTL: "15m" } });
    expectCode(stale, 0);
    assert.notDeepStrictEqual(JSON.parse(stale.stdout).AccessKeyId, JSON.parse(first.stdout).AccessKeyId);
    assert.deepStrictEqual(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    assert.deepStrictEqual(world.sim.count("POST /api/v1/authn"), 0, "the stored Okta session is reused");

    resetCounts(world.sim);
    const refreshed = await world.run(["cred-process", "--refresh", "dev"]);
    expectCode(refreshed, 0);
    assert.deepStrictEqual(world.sim.count("sts:AssumeRoleWithSAML"), 1);
  } finally {
    await world.close();
  }
});

Deno.test("--session-cache-single-item keeps every session in one keyring item", async () => {
  const world = await setUp();
  try {
    const env = { AWS_OKTA_SESSION_CACHE_SINGLE_ITEM: "true" };
    expectCode(await world.run(["cred-process", "admin"], { env }), 0);
    const names = (await Array.fromAsync(Deno.readDir(`${world.home}/.aws-okta`))).map((e) => e.name);
    assert.ok(names.includes("session-cache"), names.join(","));
    assert.deepStrictEqual(names.filter((n) => n.includes(" session (")), []);
    world.sim.reset();
    expectCode(await world.run(["cred-process", "--session-cache-single-item", "dev"]), 0);
    expectCode(await world.run(["cred-process", "admin"], { env }), 0);
    assert.deepStrictEqual(requests(world), 0);
  } finally {
    await world.close();
  }
});

// The child is a POSIX shell script; windows_test.ts runs cmd.exe through exec.
Deno.test("exec sets the credential variables, clears stale ones and exits with the child's code", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const world = await setUp();
  try {
    const result = await world.run(
      ["exec", "admin", "--", "sh", "-c", 'env | grep -E "^AWS_" | sort; exit 7'],
      { env: { AWS_PROFILE: "stale", AWS_DEFAULT_PROFILE: "stale", AWS_ACCESS_KEY_ID: "AKIASTALE" } },
    );
    assert.deepStrictEqual(result.code, 7);
    const vars = Object.fromEntries(
      result.stdout.trim().split("\n").map((
        line,
      ) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    assert.deepStrictEqual(vars["AWS_PROFILE"], undefined);
    assert.deepStrictEqual(vars["AWS_DEFAULT_PROFILE"], undefined);
    assert.match(vars["AWS_ACCESS_KEY_ID"]!, /^ASIA/);
    assert.deepStrictEqual(vars["AWS_SESSION_TOKEN"], vars["AWS_SECURITY_TOKEN"]);
    assert.deepStrictEqual(vars["AWS_OKTA_PROFILE"], "admin");
    assert.deepStrictEqual(vars["AWS_OKTA_ASSUMED_ROLE"], "Admin");
    assert.match(vars["AWS_OKTA_ASSUMED_ROLE_ARN"]!, /^arn:aws:sts::123456789012:assumed-role\/Admin\//);
    assert.match(vars["AWS_OKTA_SESSION_EXPIRATION"]!, /^\d{10}$/);
    assert.match(vars["AWS_CREDENTIAL_EXPIRATION"]!, /Z$/);
    // admin inherits dev's region through source_profile.
    assert.deepStrictEqual(vars["AWS_REGION"], "us-west-2");
    assert.deepStrictEqual(vars["AWS_DEFAULT_REGION"], "us-west-2");
  } finally {
    await world.close();
  }
});

// Windows has no SIGTERM to forward (exec forwards Ctrl-C only there).
Deno.test("exec forwards SIGTERM to the child and passes on its exit code", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const world = await setUp();
  try {
    expectCode(await world.run(["cred-process", "dev"]), 0);
    const { CONFIG, MAIN } = await import("./harness.ts");
    const marker = `${world.home}/started`;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-q",
        "-P=aws-okta",
        "--config",
        CONFIG,
        MAIN,
        "exec",
        "dev",
        "--",
        "sh",
        "-c",
        `trap 'exit 42' TERM; touch ${marker}; while true; do sleep 0.05; done`,
      ],
      env: world.env,
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    while (!(await Deno.stat(marker).then(() => true, () => false))) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGTERM");
    const status = await child.output();
    assert.deepStrictEqual(status.code, 42);
  } finally {
    await world.close();
  }
});

// bash; windows_test.ts has cmd.exe evaluate env's lines.
Deno.test("env prints export lines that bash evaluates to the same credentials", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const world = await setUp();
  try {
    const creds = JSON.parse((await world.run(["cred-process", "dev"])).stdout);
    const env = await world.run(["env", "dev"], { env: { SHELL: "/bin/bash" } });
    expectCode(env, 0);
    for (const line of env.stdout.trim().split("\n")) {
      assert.match(line, /^export AWS_[A-Z_]+=[\w@%+=:,./-]+$/);
    }
    const script =
      `${env.stdout}\nprintf '%s\\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"`;
    const out = await new Deno.Command("bash", { args: ["-c", script], stdout: "piped" }).output();
    assert.deepStrictEqual(new TextDecoder().decode(out.stdout).trim().split("\n"), [
      creds.AccessKeyId,
      creds.SecretAccessKey,
      creds.SessionToken,
    ]);
  } finally {
    await world.close();
  }
});

Deno.test("the TTL variables and --debug work on every credential command, and --debug leaks no secret", async () => {
  const world = await setUp();
  try {
    const user = world.sim.state.users[0]!;
    await Deno.remove(`${world.home}/.aws-okta/okta-session-cookie`);
    world.sim.state.roles[ENGINEER] = { maxSessionDuration: 7200 };
    const result = await world.run(["env", "--debug", "admin"], { env: { AWS_SESSION_TTL: "2h" } });
    expectCode(result, 0);
    assertIncludes(result.stderr, "[debug]");
    const creds = [...world.sim.state.credentials.values()];
    const saml = creds.find((c) => c.roleArn === ENGINEER)!;
    assert.deepStrictEqual(saml.durationSeconds, 7200);
    const secrets = [user.password, ...creds.flatMap((c) => [c.secretAccessKey, c.sessionToken])];
    for (const cookie of world.sim.state.sessions.keys()) secrets.push(cookie);
    for (const secret of secrets) assert.ok(!result.stderr.includes(secret), "a secret reached stderr");
  } finally {
    await world.close();
  }
});
