/**
 * No login wasted, no data in the wrong place: what the CLI does at the edges of its environment
 * (no HOME, read-only directories, damaged disposable items, revoked cached hops, a closed
 * stdout, a child killed by a signal, an environment too big for the OS), each the real CLI as a
 * subprocess against the simulators.
 */

import assert from "node:assert/strict";
import { requirePeer } from "../peers.ts";
import {
  cliArgv,
  createWorld,
  expectCode,
  type RunResult,
  samlUrlOf,
  withEnv,
  type World,
} from "./harness.ts";

/** Sets up what no Deno API can: a pipe with no reader, a pseudo-terminal without stdin. */
const PYTHON = requirePeer("python3");
/** Root writes anywhere; setpriv drops the capabilities that allow it (see unprivileged()). */
const SETPRIV = Deno.build.os === "linux" && Deno.uid() === 0 ? requirePeer("setpriv") : undefined;

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const ADMIN = "arn:aws:iam::123456789012:role/Admin";

function config(world: World): string {
  return `[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
okta_aws_role_arn = ${ENGINEER}
region = us-west-2

[profile admin]
source_profile = dev
role_arn = ${ADMIN}
`;
}

async function setUp(): Promise<World> {
  const world = await createWorld();
  await world.writeConfig(config(world));
  expectCode(await world.add(), 0);
  return world;
}

/** Exactly one `aws-okta:` line on stderr, matching `message`. */
function expectOneLine(result: RunResult, code: number, message: RegExp): void {
  expectCode(result, code);
  const lines = result.stderr.split("\n").filter((line) => line.startsWith("aws-okta:"));
  assert.equal(lines.length, 1, `one error line:\n${result.stderr}`);
  assert.match(lines[0]!, message);
  assert.ok(!/^\s+at /m.test(result.stderr), `no stack trace:\n${result.stderr}`);
}

// ---------------------------------------------------------------------------------------------
// exec

Deno.test("exec: a child killed by any signal exits 128+N, as shells report it", async () => {
  const world = await setUp();
  try {
    for (const [signal, code] of [["SEGV", 139], ["ABRT", 134], ["TERM", 143], ["KILL", 137]] as const) {
      const result = await world.run(["exec", "dev", "--", "sh", "-c", `kill -${signal} $$`]);
      assert.equal(result.code, code, `SIG${signal}:\n${result.stderr}`);
    }
  } finally {
    await world.close();
  }
});

/**
 * The largest padding (bytes of extra environment) with which `argv` can still be started: the
 * OS limit counts the strings of the arguments and the environment, so this is found by trying.
 */
async function largestPadding(argv: string[], env: Record<string, string>): Promise<number> {
  const fits = (size: number) => {
    try {
      const child = new Deno.Command("true", {
        args: argv,
        env: { ...env, ...padding(size) },
        clearEnv: true,
      })
        .spawn();
      return child.status.then(() => true);
    } catch (error) {
      if ((error as { code?: string }).code === "E2BIG") return Promise.resolve(false);
      throw error;
    }
  };
  let low = 0;
  let high = 64 << 20;
  while (high - low > 16) {
    const middle = Math.floor((low + high) / 2);
    if (await fits(middle)) low = middle;
    else high = middle;
  }
  return low;
}

/** `size` bytes of environment in variables under Linux's 128 KiB limit for one string. */
function padding(size: number): Record<string, string> {
  const vars: Record<string, string> = {};
  for (let i = 0; size > 0; i++) {
    const length = Math.min(size, 100_000);
    vars[`AWS_OKTA_TEST_PAD_${i}`] = "x".repeat(length);
    size -= length;
  }
  return vars;
}

Deno.test({
  name: "exec: an environment too big for the OS is one line (exit 126), not an unexpected error",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const world = await setUp();
    try {
      expectCode(await world.run(["cred-process", "dev"]), 0);
      const { CONFIG, MAIN } = await import("./harness.ts");
      const childArgs = ["exec", "dev", "--", "true"];
      const ownArgs = ["run", "-q", "-P=aws-okta", "--config", CONFIG, MAIN, ...childArgs];
      // aws-okta itself just fits; the credential variables it adds to the child's do not.
      const size = (await largestPadding(ownArgs, world.env)) - 400;
      const result = await world.run(childArgs, { env: padding(size) });
      expectOneLine(result, 126, /^aws-okta: cannot run "true": its arguments and environment are too big/);
      assert.equal(result.stdout, "");
    } finally {
      await world.close();
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Session lengths

/** Requests the simulators saw (sent pushes and issued assertions are not requests). */
function requests(world: World): number {
  return Object.entries(world.sim.counts())
    .filter(([key]) => !key.startsWith("push:") && !key.startsWith("saml:"))
    .reduce((sum, [, n]) => sum + n, 0);
}

Deno.test("-t/-a/AWS_SESSION_TTL lengths STS refuses are usage errors before any login", async () => {
  const world = await setUp();
  try {
    world.sim.reset();
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["-t", "13h"], {}, /invalid duration "13h" for --session-ttl: use a length from 15m to 12h/],
      [["-t", "5m"], {}, /invalid duration "5m" for --session-ttl: use a length from 15m to 12h/],
      [["--session-ttl=899"], {}, /invalid duration "899" for --session-ttl/],
      [["-a", "10m"], {}, /invalid duration "10m" for --assume-role-ttl/],
      [
        [],
        { AWS_SESSION_TTL: "24h" },
        /invalid duration "24h" in AWS_SESSION_TTL: use a length from 15m to 12h/,
      ],
    ];
    for (const [flags, env, message] of cases) {
      for (const command of [["cred-process", ...flags, "dev"], ["exec", ...flags, "dev", "--", "true"]]) {
        const result = await world.run(command, { env });
        assert.equal(result.code, 2, `${command.join(" ")}:\n${result.stderr}`);
        assert.match(result.stderr, message);
      }
    }
    assert.equal(requests(world), 0, "no request for a refused length");
    await world.writeConfig(
      config(world).replace("region = us-west-2", "region = us-west-2\nsession_ttl = 13h"),
    );
    expectOneLine(
      await world.run(["cred-process", "--refresh", "dev"]),
      1,
      /invalid session_ttl "13h" in profile "dev": use a length from 15m to 12h/,
    );
    world.sim.reset();
    await world.writeConfig(config(world));
    // STS's bounds, on a role that allows 12h (a new IAM role allows 1h).
    world.sim.state.roles[ENGINEER] = { maxSessionDuration: 43200 };
    expectCode(await world.run(["cred-process", "-t", "12h", "--refresh", "dev"]), 0);
    expectCode(await world.run(["cred-process", "-t", "15m", "--refresh", "dev"]), 0);
  } finally {
    await world.close();
  }
});

Deno.test("AWS_OKTA_MIN_TTL not shorter than the session is a clear error, not a login on every call", async () => {
  const world = await setUp();
  try {
    world.sim.reset();
    // Known before the login: -t, or the chained hop's 1h.
    for (
      const [args, minTtl] of [[["-t", "1h", "dev"], "1h"], [["-t", "2h", "admin"], "1h"], [
        ["dev"],
        "2h",
      ]] as const
    ) {
      const result = await world.run(["cred-process", ...args], { env: { AWS_OKTA_MIN_TTL: minTtl } });
      expectOneLine(
        result,
        2,
        /^aws-okta: AWS_OKTA_MIN_TTL \(\d+h\) is not shorter than the 1h session of "(dev|admin)"/,
      );
      assert.equal(result.stdout, "");
    }
    // The first two were refused with no request; the third learnt the app's 1h from the assertion
    // and stopped before STS.
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 0);
    assert.equal(world.sim.count("sts:AssumeRole"), 0);
    world.sim.reset();
    world.sim.state.roles[ENGINEER] = { maxSessionDuration: 7200 };
    const ok = await world.run(["cred-process", "-t", "2h", "dev"], { env: { AWS_OKTA_MIN_TTL: "1h" } });
    expectCode(ok, 0);
    world.sim.reset();
    expectCode(await world.run(["cred-process", "-t", "2h", "dev"], { env: { AWS_OKTA_MIN_TTL: "1h" } }), 0);
    assert.equal(requests(world), 0, "served from the cache");
  } finally {
    await world.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Where data goes

Deno.test("HOME unset or relative: one line, and nothing written under the working directory", async () => {
  const world = await setUp();
  const cwd = await Deno.makeTempDir({ prefix: "aws-okta-cwd-" });
  try {
    for (const home of [undefined, "", "relative/home"]) {
      for (
        const command of [["cred-process", "dev"], ["add", "--domain", world.sim.url, "--username", "x"]]
      ) {
        const result = await world.run(command, {
          cwd,
          stdin: "password\n",
          env: { HOME: home, AWS_OKTA_LOCK_DIR: undefined, AWS_OKTA_FILE_DIR: undefined },
        });
        expectOneLine(
          result,
          1,
          home
            ? /^aws-okta: HOME is not an absolute path: "relative\/home"; set HOME/
            : /^aws-okta: HOME is not set; set HOME to your home directory/,
        );
      }
    }
    assert.deepEqual(
      await Array.fromAsync(Deno.readDir(cwd)),
      [],
      "nothing written in the working directory",
    );
    // Commands that need no path still work.
    expectCode(await world.run(["version"], { cwd, env: { HOME: undefined } }), 0);
  } finally {
    await Deno.remove(cwd, { recursive: true });
    await world.close();
  }
});

/**
 * What makes a 0500 directory read-only for the CLI: nothing for a normal user; for root (CI
 * containers), `setpriv` dropping the capabilities that let root write anywhere.
 */
function unprivileged(): string[] {
  if (Deno.uid() !== 0) return [];
  return [SETPRIV!, "--bounding-set=-dac_override,-dac_read_search,-fowner"];
}

Deno.test({
  name: "a read-only keyring or cache directory is found before the login, not after it",
  ignore: Deno.build.os === "windows" || (Deno.uid() === 0 && !SETPRIV),
  fn: async (t) => {
    const under = unprivileged();
    const world = await setUp();
    try {
      world.sim.reset();
      const keyringDir = `${world.home}/.aws-okta`;
      await Deno.chmod(keyringDir, 0o500);
      const result = await world.run(["cred-process", "dev"], { under });
      expectOneLine(
        result,
        1,
        /^aws-okta: cannot write to the keyring directory ".*\.aws-okta": permission denied; make it writable, or set AWS_OKTA_FILE_DIR/,
      );
      assert.deepEqual(world.sim.counts(), {}, "no Okta or STS request");
      const add = await world.run(["add", "--domain", world.sim.url, "--username", "x"], {
        under,
        stdin: "pw\n",
      });
      expectOneLine(add, 1, /^aws-okta: cannot write to the keyring directory/);
      assert.deepEqual(world.sim.counts(), {}, "add asked Okta nothing");
      await Deno.chmod(keyringDir, 0o700);

      await t.step("the cache directory holding the login locks", async () => {
        const cache = `${world.home}/.cache`;
        await Deno.mkdir(cache, { mode: 0o500 });
        const locked = await world.run(["cred-process", "dev"], {
          under,
          env: { AWS_OKTA_LOCK_DIR: undefined },
        });
        expectOneLine(
          locked,
          1,
          /^aws-okta: cannot create the lock directory ".*\/\.cache\/aws-okta\/locks": permission denied/,
        );
        assert.deepEqual(world.sim.counts(), {}, "no Okta or STS request");
      });
      expectCode(await world.run(["cred-process", "dev"], { under }), 0);
    } finally {
      await world.close();
    }
  },
});

Deno.test("a damaged okta-session-cookie or device-token item is a cache miss, and is replaced", async () => {
  const world = await setUp();
  try {
    const { FileKeyring } = await import("../../src/keyring/file.ts");
    const { PASSPHRASE } = await import("./harness.ts");
    const dir = `${world.home}/.aws-okta`;
    const keyring = new FileKeyring({ dir, passphrase: () => Promise.resolve(PASSPHRASE) });
    const damages: [string, () => Promise<void>][] = [
      ["not a JWE", async () => {
        await Deno.writeTextFile(`${dir}/okta-session-cookie`, "eyJhbGciOi.garbage");
        await Deno.writeTextFile(`${dir}/okta-device-token-cookie`, "");
      }],
      ["no cookie inside", async () => {
        const data = new TextEncoder().encode("line\nbreak\0");
        await keyring.set({ key: "okta-session-cookie", data });
        await keyring.set({ key: "okta-device-token-cookie", data });
      }],
    ];
    for (const [what, damage] of damages) {
      await damage();
      const result = await world.run(["cred-process", "--refresh", "dev"], { stdin: "\n" });
      expectCode(result, 0);
      assert.match(JSON.parse(result.stdout).AccessKeyId, /^ASIA/, what);
      const cookie = new TextDecoder().decode((await keyring.get("okta-session-cookie")).data);
      assert.match(cookie, /^[\x21-\x7e]+$/, `${what}: a new session cookie was stored`);
    }
  } finally {
    await world.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Cached hops STS no longer accepts

Deno.test("a cached parent hop that STS refuses (revoked, expired early) is dropped and the chain retried once", async () => {
  const world = await setUp();
  try {
    for (const [how, ttl] of [["revoke", "30m"], ["expire", "40m"]] as const) {
      const first = await world.run(["cred-process", "--refresh", "admin"]);
      expectCode(first, 0);
      // The dev hop stays cached and looks fresh here; STS now refuses it.
      assert.ok(world.sim.endCredentials(how, (c) => c.roleArn === ENGINEER) >= 1);
      world.sim.reset();
      // Another assume-role length: a new admin hop, signed with the cached dev hop.
      const result = await world.run(["cred-process", "-a", ttl, "admin"]);
      expectCode(result, 0);
      const issued = world.sim.state.credentials.get(JSON.parse(result.stdout).AccessKeyId);
      assert.equal(issued?.roleArn, ADMIN, how);
      assert.equal(
        world.sim.count("sts:AssumeRole"),
        2,
        `${how}: refused once, then done with a new dev hop`,
      );
      assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1, how);
      // The new dev hop is cached: the next call for dev needs no request.
      world.sim.reset();
      expectCode(await world.run(["cred-process", "dev"]), 0);
      assert.equal(requests(world), 0, `${how}: dev served from the cache`);
    }
  } finally {
    await world.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Remembered devices

Deno.test("the first login's MFA is remembered: the next password login skips MFA", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(config(world));
    // add is the first login: password and a push, with no DT cookie yet.
    const add = await world.add();
    expectCode(add, 0);
    assert.equal(world.sim.count("push:sent"), 1);
    assert.equal(world.sim.state.devices.size, 1, "Okta remembers the device of the first login");
    // The Okta session is over: the next login needs the password, but no MFA.
    world.sim.reset();
    const second = await world.run(["cred-process", "dev"]);
    expectCode(second, 0);
    assert.equal(world.sim.count("POST /api/v1/authn"), 1);
    assert.equal(world.sim.count("push:sent"), 0, `no MFA on the second login:\n${second.stderr}`);
    assert.equal(
      world.sim.count("GET /login/login.htm"),
      0,
      "the stored DT cookie is sent; no page for a new one",
    );
  } finally {
    await world.close();
  }
});

// ---------------------------------------------------------------------------------------------
// The file keyring's passphrase

Deno.test("file keyring: a new one's passphrase is asked twice; add under another passphrase is refused before the login", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(config(world));
    const user = world.sim.state.users[0]!;
    const add = (
      stdin: string,
      env: Record<string, string | undefined> = { AWS_OKTA_FILE_PASSPHRASE: undefined },
    ) => world.run(["add", "--domain", world.sim.url, "--username", user.login], { stdin, env });

    const mismatch = await add(`first\nsecond\n${user.password}\n`);
    expectOneLine(mismatch, 1, /^aws-okta: the two passphrases differ; run the command again/);
    assert.deepEqual(world.sim.counts(), {}, "no login");
    expectOneLine(await add(`\n`), 1, /^aws-okta: the file keyring's passphrase cannot be empty/);

    const created = await add(`kept\nkept\n${user.password}\n`);
    expectCode(created, 0);
    assert.match(
      created.stderr,
      /Choose a passphrase for the new keyring ".*\.aws-okta": \nRepeat the passphrase: \n/,
    );

    world.sim.reset();
    for (
      const other of [{ stdin: `other\n${user.password}\n` }, {
        stdin: `${user.password}\n`,
        env: { AWS_OKTA_FILE_PASSPHRASE: "other" },
      }]
    ) {
      const refused = await add(other.stdin, other.env);
      expectOneLine(
        refused,
        1,
        /^aws-okta: cannot unlock ".*\.aws-okta\/.*": wrong passphrase; a keyring has one passphrase: use the one its items were stored with/,
      );
      assert.deepEqual(world.sim.counts(), {}, "refused before any login");
    }
    // Every item still opens under the one passphrase.
    const served = await world.run(["cred-process", "dev"], { env: { AWS_OKTA_FILE_PASSPHRASE: "kept" } });
    expectCode(served, 0);
    expectOneLine(
      await world.run(["cred-process", "dev"], { env: { AWS_OKTA_FILE_PASSPHRASE: "" } }),
      1,
      /AWS_OKTA_FILE_PASSPHRASE is empty/,
    );
  } finally {
    await world.close();
  }
});

// ---------------------------------------------------------------------------------------------
// stdout that cannot be written

/**
 * Runs a python3 `script` in the world's home with the CLI's argv for `args` (as the world runs
 * it) and `mode` as its arguments, and returns the JSON it prints.
 */
async function runUnderPython<T>(
  world: World,
  python: string,
  script: string,
  args: string[],
  mode: string,
  env: Record<string, string> = world.env,
): Promise<T> {
  const output = await new Deno.Command(python, {
    args: ["-c", script, JSON.stringify(cliArgv(args)), mode],
    env,
    clearEnv: true,
    cwd: world.home,
    stdout: "piped",
  }).output();
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/**
 * Runs the CLI (as the world runs it) with stdout on a pipe whose reader has already gone, or on
 * /dev/full; python3 sets that up without a race.
 */
async function runWithBadStdout(
  world: World,
  python: string,
  target: "broken-pipe" | "full",
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const script = `
import json, os, subprocess, sys
argv, target = json.loads(sys.argv[1]), sys.argv[2]
if target == "full":
    out = os.open("/dev/full", os.O_WRONLY)
else:
    r, out = os.pipe()
    os.close(r)
p = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
print(json.dumps({"code": p.returncode, "stderr": p.stderr.decode()}))
`;
  return await runUnderPython(world, python, script, args, target);
}

Deno.test({
  name: "a write to a broken or full stdout is one line and exit 1, after the cache is saved",
  ignore: !PYTHON,
  fn: async () => {
    const python = PYTHON!;
    const world = await setUp();
    try {
      const cases = [
        [
          "broken-pipe",
          /^aws-okta: cannot write to stdout: broken pipe; the program reading aws-okta's output exited/,
        ],
        ["full", /^aws-okta: cannot write to stdout: no space left on device/],
      ] as const;
      for (const [target, message] of cases) {
        world.sim.reset();
        const result = await runWithBadStdout(world, python, target, ["cred-process", "--refresh", "dev"]);
        expectOneLine({ ...result, stdout: "" }, 1, message);
        assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
        // The credentials were cached before the write failed: the next call is served from the cache.
        world.sim.reset();
        expectCode(await world.run(["cred-process", "dev"]), 0);
        assert.equal(requests(world), 0, `${target}: served from the cache`);
      }
      const version = await runWithBadStdout(world, python, "broken-pipe", ["version"]);
      expectOneLine({ ...version, stdout: "" }, 1, /cannot write to stdout: broken pipe/);
    } finally {
      await world.close();
    }
  },
});

// ---------------------------------------------------------------------------------------------
// What a missing answer says

/**
 * Runs the CLI with stdin on /dev/null and stdout/stderr captured, either with a pseudo-terminal as
 * its controlling terminal (as under the AWS CLI in a terminal) or with none (setsid, as in CI).
 */
async function runWithoutStdin(
  world: World,
  python: string,
  terminal: boolean,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `
import fcntl, json, os, pty, subprocess, sys, termios
argv, terminal = json.loads(sys.argv[1]), sys.argv[2] == "1"
master, slave = pty.openpty()
def controlling():
    if terminal:
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
# Nobody types at this terminal: Ctrl-D typed ahead ends any read from it instead of waiting.
os.write(master, b"\x04\x04\x04")
try:
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, start_new_session=True,
                       preexec_fn=controlling, pass_fds=(slave,) if terminal else (), timeout=120)
except subprocess.TimeoutExpired:
    print(json.dumps({"code": -1, "stdout": "", "stderr": "timed out waiting at the terminal"}))
    sys.exit(0)
print(json.dumps({"code": p.returncode, "stdout": p.stdout.decode(), "stderr": p.stderr.decode()}))
`;
  return await runUnderPython(world, python, script, args, terminal ? "1" : "0", withEnv(world.env, env));
}

Deno.test({
  name: "no answer for a question says what is true: a terminal present, stdin closed, stderr captured",
  ignore: !PYTHON,
  fn: async () => {
    const python = PYTHON!;
    const world = await setUp();
    try {
      const noPassphrase = { AWS_OKTA_FILE_PASSPHRASE: undefined, AWS_OKTA_PROMPT: "stdin" };
      const inTerminal = await runWithoutStdin(world, python, true, ["cred-process", "dev"], noPassphrase);
      expectOneLine(
        inTerminal,
        1,
        /^aws-okta: no answer for "Enter passphrase to unlock .*": stdin is closed and answers are read from stdin only; .*AWS_OKTA_PROMPT=tty/,
      );
      assert.ok(!inTerminal.stderr.includes("there is no terminal"), inTerminal.stderr);
      // Prompting at the terminal (the default): whatever happens there, it never claims there is none.
      const defaultMode = { AWS_OKTA_FILE_PASSPHRASE: undefined, AWS_OKTA_PROMPT: undefined };
      const atTerminal = await runWithoutStdin(world, python, true, ["cred-process", "dev"], defaultMode);
      assert.notEqual(atTerminal.code, 0);
      assert.ok(!atTerminal.stderr.includes("there is no terminal"), atTerminal.stderr);
      // With no controlling terminal at all: that, or that none can be opened.
      const detached = await runWithoutStdin(world, python, false, ["cred-process", "dev"], defaultMode);
      expectOneLine(
        detached,
        1,
        /^aws-okta: no answer for "Enter passphrase to unlock .*": stdin is closed and (there is no terminal|no terminal can be opened: the Deno permission set does not grant access to "\/dev\/tty")/,
      );
    } finally {
      await world.close();
    }
  },
});
