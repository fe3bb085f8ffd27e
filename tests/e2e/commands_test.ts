/**
 * End to end: login, write-to-credentials, list, env for each shell and version, with the real CLI
 * as a subprocess against the Okta/STS simulator (federation endpoint included), and bad input
 * for each: one clear line and a non-zero exit.
 */

import assert from "node:assert/strict";
import { federationState } from "../sim/federation.ts";
import {
  assertIncludes,
  createWorld,
  expectCode,
  PASSPHRASE,
  type RunResult,
  samlUrlOf,
  type World,
} from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const ADMIN = "arn:aws:iam::123456789012:role/Admin";

function config(world: World): string {
  return `[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
okta_aws_role_arn = ${ENGINEER}
region = us-west-2
credential_process = aws-okta cred-process dev

[profile admin]
source_profile = dev
role_arn = ${ADMIN}

[profile plain]
region = eu-west-1
`;
}

async function setUp(): Promise<World> {
  const world = await createWorld();
  await world.writeConfig(config(world));
  expectCode(await world.add(), 0);
  return world;
}

/** Exit code, exactly one `aws-okta:` line matching `message`, nothing on stdout, no secret. */
function expectOneLineError(result: RunResult, code: number, message: RegExp, world: World): void {
  expectCode(result, code);
  const lines = result.stderr.split("\n").filter((line) => line.startsWith("aws-okta:"));
  assert.equal(lines.length, 1, `one error line:\n${result.stderr}`);
  assert.match(lines[0]!, message);
  assert.equal(result.stdout, "", "nothing on stdout");
  assert.ok(!/^\s+at /m.test(result.stderr), `no stack trace:\n${result.stderr}`);
  for (const secret of secretsOf(world)) assert.ok(!result.stderr.includes(secret), "a secret leaked");
}

function secretsOf(world: World): string[] {
  const secrets = [world.sim.state.users[0]!.password, PASSPHRASE, ...world.sim.state.sessions.keys()];
  for (const creds of world.sim.state.credentials.values()) {
    secrets.push(creds.secretAccessKey, creds.sessionToken);
  }
  return secrets;
}

async function credProcess(world: World, profile: string) {
  const result = await world.run(["cred-process", profile]);
  expectCode(result, 0);
  return JSON.parse(result.stdout);
}

// ---------------------------------------------------------------------------------------------
// login

Deno.test("login -s: a federation sign-in URL for the profile's role and region that the endpoint accepts", async () => {
  const world = await setUp();
  try {
    const endpoint = `${world.sim.url}/federation`;
    const result = await world.run(["login", "-s", "dev"], {
      env: { AWS_OKTA_FEDERATION_ENDPOINT: endpoint },
    });
    expectCode(result, 0);
    const lines = result.stdout.trim().split("\n");
    assert.equal(lines.length, 1, "one line: the URL");
    const url = new URL(lines[0]!);
    assert.equal(url.origin + url.pathname, endpoint);
    assert.deepEqual([...url.searchParams.keys()], ["Action", "Issuer", "Destination", "SigninToken"]);
    assert.equal(url.searchParams.get("Action"), "login");
    const destination = "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2";
    assert.equal(url.searchParams.get("Destination"), destination);
    assert.equal(url.searchParams.get("Issuer"), `${world.sim.url}/${samlUrlOf(world.sim)}`);

    const response = await fetch(url, { redirect: "manual" });
    await response.body?.cancel();
    assert.equal(response.status, 302);
    assert.equal(response.headers.get("location"), destination);
    const [login] = federationState(world.sim.state).logins;
    const creds = await credProcess(world, "dev");
    assert.equal(login!.accessKeyId, creds.AccessKeyId, "signed in with the profile's credentials");
    // Not chained: the console session lasts as long as the role session (the simulator's 1 h).
    assert.ok(
      login!.sessionDuration! > 3000 && login!.sessionDuration! <= 3600,
      String(login!.sessionDuration),
    );
  } finally {
    await world.close();
  }
});

Deno.test("login -s with a chained role: no SessionDuration (the endpoint would refuse it)", async () => {
  const world = await setUp();
  try {
    const env = { AWS_OKTA_FEDERATION_ENDPOINT: `${world.sim.url}/federation` };
    const result = await world.run(["login", "--stdout", "admin"], { env });
    expectCode(result, 0);
    const url = new URL(result.stdout.trim());
    const response = await fetch(url, { redirect: "manual" });
    await response.body?.cancel();
    assert.equal(response.status, 302);
    const [login] = federationState(world.sim.state).logins;
    assert.equal(login!.sessionDuration, undefined);
    const admin = [...world.sim.state.credentials.values()].find((c) => c.roleArn === ADMIN)!;
    assert.equal(login!.accessKeyId, admin.accessKeyId);
    assert.deepEqual(federationState(world.sim.state).refusals, []);
  } finally {
    await world.close();
  }
});

Deno.test("login opens the URL with $BROWSER; without an opener it says to use -s", async () => {
  const world = await setUp();
  try {
    const opened = `${world.home}/opened`;
    const browser = `${world.home}/browser.sh`;
    await Deno.writeTextFile(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    await Deno.chmod(browser, 0o755);
    const env = { AWS_OKTA_FEDERATION_ENDPOINT: `${world.sim.url}/federation`, BROWSER: browser };
    const result = await world.run(["login", "dev"], { env });
    expectCode(result, 0);
    assert.equal(result.stdout, "", "the URL is a credential: not printed unless -s");
    assertIncludes(result.stderr, "Opened the AWS console");
    // The opener got a local page, not the URL (its SigninToken would show in /proc/<pid>/cmdline).
    const page = new URL(await Deno.readTextFile(opened));
    assert.equal(page.protocol, "file:");
    const html = await Deno.readTextFile(page);
    const url = new URL(JSON.parse(html.match(/location\.replace\((.*)\);<\/script>/)![1]!));
    assert.equal(url.searchParams.get("Action"), "login");
    assert.ok(url.searchParams.get("SigninToken"));

    const none = await world.run(["login", "dev"], {
      env: {
        AWS_OKTA_FEDERATION_ENDPOINT: env.AWS_OKTA_FEDERATION_ENDPOINT,
        BROWSER: undefined,
        PATH: "/nonexistent",
      },
    });
    expectOneLineError(
      none,
      1,
      /cannot open a browser with "xdg-open": command not found; use "--stdout"/,
      world,
    );
  } finally {
    await world.close();
  }
});

Deno.test("login --okta-app -s prints the Okta AWS app URL, with no AWS call", async () => {
  const world = await setUp();
  try {
    world.sim.reset();
    const result = await world.run(["login", "--okta-app", "-s", "dev"]);
    expectCode(result, 0);
    assert.equal(result.stdout, `${world.sim.url}/${samlUrlOf(world.sim)}\n`);
    assert.deepEqual(world.sim.counts(), {});
  } finally {
    await world.close();
  }
});

Deno.test("login: refused credentials, unknown profile and a bad endpoint are one line each", async () => {
  const world = await setUp();
  try {
    const env = { AWS_OKTA_FEDERATION_ENDPOINT: `${world.sim.url}/federation` };
    expectCode(await world.run(["cred-process", "dev"]), 0);
    // The cached credentials are unknown to AWS (e.g. revoked): the endpoint refuses them.
    world.sim.state.credentials.clear();
    const refused = await world.run(["login", "-s", "dev"], { env });
    expectOneLineError(
      refused,
      1,
      /federation endpoint "127\.0\.0\.1:\d+" refused the credentials: HTTP 400; .*--refresh/,
      world,
    );
    const again = await world.run(["login", "-s", "--refresh", "dev"], { env });
    expectCode(again, 0);

    expectOneLineError(
      await world.run(["login", "-s", "nope"], { env }),
      1,
      /profile "nope" not found/,
      world,
    );
    expectOneLineError(
      await world.run(["login", "-s", "dev"], {
        env: { AWS_OKTA_FEDERATION_ENDPOINT: "ftp://x/federation" },
      }),
      1,
      /invalid AWS_OKTA_FEDERATION_ENDPOINT "ftp:\/\/x\/federation": scheme must be http or https/,
      world,
    );
    expectOneLineError(await world.run(["login"]), 2, /missing argument <profile>/, world);
  } finally {
    await world.close();
  }
});

// ---------------------------------------------------------------------------------------------
// write-to-credentials

const EXISTING = `# my credentials; keep this comment
[default]
aws_access_key_id     = AKIADEFAULTEXAMPLE
aws_secret_access_key = defaultsecret ; inline note

[dev]
output = json
aws_access_key_id = OLD

[other]
region=eu-west-1
`;

Deno.test("write-to-credentials updates [profile] in place, keeping every other byte; the AWS CLI reads it", async () => {
  const world = await setUp();
  try {
    const file = `${world.home}/.aws/credentials`;
    await Deno.writeTextFile(file, EXISTING);
    const result = await world.run(["write-to-credentials", "dev", file]);
    expectCode(result, 0);
    assert.equal(result.stdout, "");
    assertIncludes(result.stderr, `Updated [dev] in "${file}"`);
    const creds = await credProcess(world, "dev");
    const text = await Deno.readTextFile(file);
    const before = EXISTING.slice(0, EXISTING.indexOf("[dev]"));
    const after = EXISTING.slice(EXISTING.indexOf("[other]"));
    assert.ok(text.startsWith(before), text);
    assert.ok(text.endsWith(after), text);
    const section = text.slice(before.length, text.length - after.length);
    assertIncludes(section, "output = json");
    assertIncludes(section, `aws_access_key_id = ${creds.AccessKeyId}`);
    assertIncludes(section, `aws_secret_access_key = ${creds.SecretAccessKey}`);
    assertIncludes(section, `aws_session_token = ${creds.SessionToken}`);
    assertIncludes(section, `aws_security_token = ${creds.SessionToken}`);
    assertIncludes(section, `x_security_token_expires = ${creds.Expiration}`);
    assert.ok(!section.includes("OLD"));
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);

    // The AWS CLI signs with what was written (no config, only the credentials file).
    const aws = await new Deno.Command("aws", {
      args: ["sts", "get-caller-identity", "--profile", "dev", "--region", "us-east-1"],
      env: {
        PATH: world.env.PATH!,
        HOME: world.home,
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: file,
        AWS_ENDPOINT_URL_STS: world.sim.stsUrl,
        AWS_EC2_METADATA_DISABLED: "true",
      },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(aws.code, 0, new TextDecoder().decode(aws.stderr));
    assert.equal(
      JSON.parse(new TextDecoder().decode(aws.stdout)).Arn,
      "arn:aws:sts::123456789012:assumed-role/Engineer/alice@example.com",
    );
  } finally {
    await world.close();
  }
});

Deno.test("write-to-credentials creates a missing file (0600) and its directory (0700)", async () => {
  const world = await setUp();
  try {
    const file = `${world.home}/new/dir/credentials`;
    const result = await world.run(["write-to-credentials", "admin", file]);
    expectCode(result, 0);
    assertIncludes(result.stderr, `Created [admin] in "${file}"`);
    const creds = await credProcess(world, "admin");
    assert.equal(
      await Deno.readTextFile(file),
      `[admin]\naws_access_key_id = ${creds.AccessKeyId}\naws_secret_access_key = ${creds.SecretAccessKey}\n` +
        `aws_session_token = ${creds.SessionToken}\naws_security_token = ${creds.SessionToken}\n` +
        `x_security_token_expires = ${creds.Expiration}\n`,
    );
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(`${world.home}/new/dir`)).mode! & 0o777, 0o700);
  } finally {
    await world.close();
  }
});

Deno.test("write-to-credentials refuses unwritable targets before any login", async () => {
  const world = await setUp();
  try {
    const readOnly = `${world.home}/read-only`;
    await Deno.writeTextFile(readOnly, EXISTING);
    await Deno.chmod(readOnly, 0o444);
    await Deno.writeTextFile(`${world.home}/a-file`, "");
    world.sim.reset();
    const cases: [string, RegExp][] = [
      [readOnly, /cannot write ".*read-only": the file is read-only/],
      [
        `${world.home}/a-file/credentials`,
        /cannot write ".*a-file\/credentials": ".*a-file" is not a directory/,
      ],
      [world.home, /cannot write ".*": it is a directory/],
    ];
    for (const [path, message] of cases) {
      expectOneLineError(await world.run(["write-to-credentials", "dev", path]), 1, message, world);
    }
    assert.equal(await Deno.readTextFile(readOnly), EXISTING);
    assert.deepEqual(world.sim.counts(), {}, "no Okta or STS request");
    expectOneLineError(
      await world.run(["write-to-credentials", "nope", `${world.home}/c`]),
      1,
      /profile "nope" not found/,
      world,
    );
    expectOneLineError(await world.run(["write-to-credentials", "dev"]), 2, /missing argument <file>/, world);
  } finally {
    await world.close();
  }
});

// ---------------------------------------------------------------------------------------------
// list

Deno.test("list: Go's table by default; --long and --json show the profiles aws-okta serves", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(config(world));
    const go = await world.run(["list"]);
    expectCode(go, 0);
    assert.equal(go.stdout, `PROFILE\t\tARN\t\t\t\t\tSOURCE_ROLE\t\nadmin\t\t${ADMIN}\tdev\n`);
    assert.equal(go.stderr, "");
    const table = await world.run(["list", "--long"]);
    expectCode(table, 0);
    assert.equal(
      table.stdout,
      "PROFILE  FLOW     REGION     ROLES\n" +
        `dev      classic  us-west-2  ${ENGINEER}\n` +
        `admin    classic  us-west-2  ${ENGINEER} -> ${ADMIN}\n`,
    );
    const json = await world.run(["list", "--json"]);
    expectCode(json, 0);
    const profiles = JSON.parse(json.stdout);
    assert.deepEqual(profiles.map((p: { name: string }) => p.name), ["dev", "admin"]);
    assert.deepEqual(profiles[1].chain, ["admin", "dev"]);
    assert.deepEqual(profiles[1].roles, [{ profile: "dev", roleArn: ENGINEER }, {
      profile: "admin",
      roleArn: ADMIN,
    }]);
    assert.deepEqual(world.sim.counts(), {}, "list makes no request");
  } finally {
    await world.close();
  }
});

Deno.test("list: a missing config file, a broken profile and extra arguments", async () => {
  const world = await createWorld();
  try {
    expectOneLineError(await world.run(["list"]), 1, /AWS config file ".*config" does not exist/, world);
    await world.writeConfig(
      `${
        config(world)
      }\n[profile loop]\nsource_profile = loop2\nokta_aws_role_arn = ${ENGINEER}\n\n[profile loop2]\nsource_profile = loop\n`,
    );
    const result = await world.run(["list", "-l"]);
    expectCode(result, 0);
    assertIncludes(result.stderr, 'Skipped profile "loop": source_profile loop');
    assert.ok(!result.stdout.includes("loop"));
    // A Go-style profile with a credential_process line: the AWS CLI refuses it; list says why.
    await world.writeConfig(
      `${
        config(world)
      }\n[profile go-style]\nrole_arn = ${ENGINEER}\ncredential_process = aws-okta cred-process go-style\n`,
    );
    const flagged = await world.run(["list"]);
    expectCode(flagged, 0);
    assert.equal(
      flagged.stderr,
      'Profile "go-style" has role_arn without source_profile beside credential_process: the AWS CLI ' +
        'refuses it ("Partial credentials found in assume-role"); rename role_arn to okta_aws_role_arn\n',
    );
    assertIncludes(flagged.stdout, `go-style\t${ENGINEER}\t\t\n`);
    expectOneLineError(
      await world.run(["list", "extra"]),
      2,
      /too many arguments: unexpected "extra"/,
      world,
    );
  } finally {
    await world.close();
  }
});

// ---------------------------------------------------------------------------------------------
// env for every shell

/** Runs `script` in `shell` and returns its stdout. */
async function runShell(shell: string, script: string): Promise<string> {
  const output = await new Deno.Command(shell, { args: ["-c", script], stdout: "piped", stderr: "piped" })
    .output();
  assert.equal(output.code, 0, `${shell}: ${new TextDecoder().decode(output.stderr)}`);
  return new TextDecoder().decode(output.stdout);
}

Deno.test("env: each shell evaluates its lines to the same credentials; the default is sh whatever $SHELL says", async () => {
  const world = await setUp();
  try {
    const creds = await credProcess(world, "dev");
    const expected = `${creds.AccessKeyId}\n${creds.SecretAccessKey}\n${creds.SessionToken}\nus-west-2\n`;
    const print =
      `printf '%s\\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_REGION"`;
    for (const shell of ["bash", "zsh", "sh"]) {
      const result = await world.run(["env", "dev", "--shell", shell]);
      expectCode(result, 0);
      assert.equal(await runShell(shell, `${result.stdout}\n${print}`), expected, shell);
    }
    const fish = await world.run(["env", "dev", "--shell", "fish"]);
    expectCode(fish, 0);
    assert.equal(
      await runShell(
        "fish",
        `${fish.stdout}\nprintf '%s\\n' $AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN $AWS_REGION`,
      ),
      expected,
    );
    // No PowerShell or cmd here: check the syntax of their lines.
    const ps = await world.run(["env", "dev", "--shell", "powershell"]);
    assertIncludes(ps.stdout, `$Env:AWS_ACCESS_KEY_ID = '${creds.AccessKeyId}'\n`);
    const cmd = await world.run(["env", "dev", "--shell", "cmd"]);
    assertIncludes(cmd.stdout, `set "AWS_ACCESS_KEY_ID=${creds.AccessKeyId}"\n`);

    // Whatever $SHELL says (Go aws-okta prints POSIX lines): a fish user's `bash -c 'eval …'` works.
    for (const shell of ["/usr/bin/fish", "/usr/bin/pwsh", "/bin/tcsh", ""]) {
      const plain = await world.run(["env", "dev"], { env: { SHELL: shell } });
      expectCode(plain, 0);
      assertIncludes(plain.stdout, `export AWS_ACCESS_KEY_ID=${creds.AccessKeyId}\n`, `SHELL=${shell}`);
      assert.equal(await runShell("bash", `eval "$(cat <<'EOF'\n${plain.stdout}EOF\n)"\n${print}`), expected);
    }
  } finally {
    await world.close();
  }
});

Deno.test("env: an unsupported shell and an unknown profile are one line and a non-zero exit", async () => {
  const world = await setUp();
  try {
    expectOneLineError(
      await world.run(["env", "dev", "--shell", "tcsh"]),
      2,
      /invalid value "tcsh" for --shell: use one of bash, zsh, sh, fish, powershell, cmd/,
      world,
    );
    expectOneLineError(await world.run(["env", "nope"]), 1, /profile "nope" not found/, world);
  } finally {
    await world.close();
  }
});

// ---------------------------------------------------------------------------------------------
// version and help

Deno.test("version and --version print aws-okta's, Deno's and V8's versions", async () => {
  const world = await createWorld();
  try {
    for (const args of [["version"], ["--version"]]) {
      const result = await world.run(args);
      expectCode(result, 0);
      assert.match(result.stdout, /^aws-okta \S+ \(deno \d+\.\d+\.\d+, v8 [\d.]+[^,]*, [\w-]+\)\n$/);
      assertIncludes(result.stdout, `deno ${Deno.version.deno}`);
    }
  } finally {
    await world.close();
  }
});

Deno.test("every command has help with examples", async () => {
  const world = await createWorld();
  try {
    for (
      const command of ["login", "write-to-credentials", "list", "eks-token", "completion", "exec", "env"]
    ) {
      const result = await world.run([command, "--help"]);
      expectCode(result, 0);
      assertIncludes(result.stdout, `aws-okta ${command}`, command);
      assertIncludes(result.stdout, "Examples:", command);
    }
  } finally {
    await world.close();
  }
});
