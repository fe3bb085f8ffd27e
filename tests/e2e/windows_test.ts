/**
 * What only Windows has, end to end: the real CLI under the Windows build of Deno (on Windows, or
 * under Wine through `make test-windows`) against the Okta/STS simulator. Paths from USERPROFILE
 * and LOCALAPPDATA with no HOME, `exec` of Windows programs, `env` lines that cmd.exe (and
 * PowerShell where there is one) evaluate, and the wincred backend through the CLI.
 *
 * Everywhere else these tests are ignored: the same flows on POSIX are in classic_flow_test.ts and
 * commands_test.ts.
 */

import assert from "node:assert/strict";
import { assertIncludes, createWorld, expectCode, resetCounts, samlUrlOf, type World } from "./harness.ts";

const WINDOWS_ONLY = { ignore: Deno.build.os !== "windows" };
const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const decoder = new TextDecoder();

interface CredentialJson {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
}

function config(world: World, extra = ""): string {
  return `[okta]
aws_saml_url = ${samlUrlOf(world.sim)}
${extra}
[profile dev]
okta_aws_role_arn = ${ENGINEER}
region = us-west-2
`;
}

async function setUp(extra = ""): Promise<World> {
  const world = await createWorld();
  await world.writeConfig(config(world, extra));
  return world;
}

async function credentials(
  world: World,
  env: Record<string, string | undefined> = {},
): Promise<CredentialJson> {
  const result = await world.run(["cred-process", "dev"], { env });
  expectCode(result, 0);
  return JSON.parse(result.stdout);
}

/** Runs a Windows program and returns its exit code and output (CRLF made LF). */
async function runWindows(command: string, args: string[], cwd: string) {
  const output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout).replaceAll("\r\n", "\n"),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test(
  "windows: with no HOME, the config comes from USERPROFILE and the locks go to LOCALAPPDATA",
  WINDOWS_ONLY,
  async () => {
    const world = await setUp();
    try {
      const local = `${world.home}\\AppData\\Local`;
      const asWindows = {
        HOME: undefined,
        USERPROFILE: world.home,
        LOCALAPPDATA: local,
        AWS_CONFIG_FILE: undefined,
        AWS_SHARED_CREDENTIALS_FILE: undefined,
        AWS_OKTA_LOCK_DIR: undefined,
      };
      const user = world.sim.state.users[0]!;
      const added = await world.run(["add", "--domain", world.sim.url, "--username", user.login], {
        stdin: `${user.password}\n`,
        env: asWindows,
      });
      expectCode(added, 0);
      // The file keyring sits where Go aws-okta keeps it: %USERPROFILE%\.aws-okta.
      assert.ok((await Deno.stat(`${world.home}\\.aws-okta\\okta-creds`)).isFile);

      const creds = await credentials(world, asWindows);
      assert.match(creds.AccessKeyId, /^ASIA/);
      const locks = await Array.fromAsync(Deno.readDir(`${local}\\aws-okta\\locks`), (entry) => entry.name);
      assert.ok(locks.some((name) => name.endsWith(".lock")), `lock files: ${locks}`);

      // A "~\" in AWS_CONFIG_FILE is USERPROFILE too; a missing file there is named with backslashes.
      const missing = await world.run(["cred-process", "dev"], {
        env: { ...asWindows, AWS_CONFIG_FILE: "~\\elsewhere\\config" },
      });
      expectCode(missing, 1);
      assertIncludes(missing.stderr, `${world.home}\\elsewhere\\config`);
    } finally {
      await world.close();
    }
  },
);

Deno.test(
  "windows: exec runs a Windows program (cmd /c) with the credentials and passes on its exit code",
  WINDOWS_ONLY,
  async () => {
    const world = await setUp();
    try {
      expectCode(await world.add(), 0);
      const creds = await credentials(world);
      const shown = await world.run([
        "exec",
        "dev",
        "--",
        "cmd",
        "/c",
        "echo %AWS_ACCESS_KEY_ID%& exit /b 7",
      ]);
      expectCode(shown, 7);
      assert.equal(shown.stdout.replaceAll("\r\n", "\n"), `${creds.AccessKeyId}\n`);
      expectCode(await world.run(["exec", "dev", "--", "cmd", "/c", "exit 0"]), 0);
      // The program is found on PATH with PATHEXT, as cmd.exe would; a missing one is exit 127.
      const missing = await world.run(["exec", "dev", "--", "aws-okta-no-such-program"]);
      expectCode(missing, 127);
      assertIncludes(missing.stderr, 'cannot run "aws-okta-no-such-program": command not found');
    } finally {
      await world.close();
    }
  },
);

Deno.test(
  "windows: env lines for cmd.exe (and PowerShell) set the credentials; POSIX export lines are the default, as Go aws-okta",
  WINDOWS_ONLY,
  async () => {
    const world = await setUp();
    try {
      expectCode(await world.add(), 0);
      const creds = await credentials(world);
      const expected = `${creds.AccessKeyId}\n${creds.SecretAccessKey}\n${creds.SessionToken}\nus-west-2\n`;

      const cmd = await world.run(["env", "dev", "--shell", "cmd"]);
      expectCode(cmd, 0);
      const batch = `${world.home}\\env.cmd`;
      await Deno.writeTextFile(
        batch,
        `@echo off\r\n${cmd.stdout.replaceAll("\n", "\r\n")}` +
          "echo %AWS_ACCESS_KEY_ID%\r\necho %AWS_SECRET_ACCESS_KEY%\r\necho %AWS_SESSION_TOKEN%\r\necho %AWS_REGION%\r\n",
      );
      const ran = await runWindows("cmd", ["/c", batch], world.home);
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(ran.stdout, expected);

      // With no --shell, Windows too gets Go aws-okta's POSIX lines (Git Bash, WSL and scripts parse them).
      const posix = await world.run(["env", "dev"], { env: { SHELL: undefined } });
      expectCode(posix, 0);
      assertIncludes(posix.stdout, `export AWS_ACCESS_KEY_ID=${creds.AccessKeyId}\n`);

      const ps = await world.run(["env", "dev", "--shell", "powershell"], { env: { SHELL: undefined } });
      expectCode(ps, 0);
      assertIncludes(ps.stdout, `$Env:AWS_ACCESS_KEY_ID = '${creds.AccessKeyId}'\n`);
      // Wine has only a stub powershell.exe: evaluate the lines where a real one answers.
      const probe = await runWindows("powershell", [
        "-NoProfile",
        "-NonInteractive",
        "-Command",
        "Write-Output 42",
      ], world.home)
        .catch(() => undefined);
      if (probe?.stdout.trim() === "42") {
        const script = `${world.home}\\env.ps1`;
        await Deno.writeTextFile(
          script,
          `${ps.stdout}Write-Output $Env:AWS_ACCESS_KEY_ID $Env:AWS_SECRET_ACCESS_KEY $Env:AWS_SESSION_TOKEN $Env:AWS_REGION\n`,
        );
        const evaluated = await runWindows(
          "powershell",
          ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", script],
          world.home,
        );
        assert.equal(evaluated.code, 0, evaluated.stderr);
        assert.equal(evaluated.stdout, expected);
      }
    } finally {
      await world.close();
    }
  },
);

Deno.test(
  "windows: the wincred backend keeps the password and the cache in the Credential Manager, for other processes too",
  WINDOWS_ONLY,
  async () => {
    const { WincredKeyring } = await import("../../src/keyring/windows/wincred.ts");
    const keyring = WincredKeyring.open();
    const before = new Set(await keyring.keys());
    // A fresh account name: the Credential Manager is shared by every test and by the user.
    const account = `e2e${crypto.randomUUID().slice(0, 8)}`;
    const world = await setUp(`okta_account_name = ${account}\n`);
    try {
      const wincred = { AWS_OKTA_BACKEND: "wincred" };
      const user = world.sim.state.users[0]!;
      const added = await world.run(
        ["add", "--domain", world.sim.url, "--username", user.login, "--account", account],
        { stdin: `${user.password}\n`, env: wincred },
      );
      expectCode(added, 0);
      // Nothing went to the file keyring.
      await assert.rejects(Deno.stat(`${world.home}/.aws-okta`), Deno.errors.NotFound);
      const stored = JSON.parse(decoder.decode((await keyring.get(`okta-creds-${account}`)).data));
      assert.equal(stored.Username, user.login);

      const first = await credentials(world, wincred);
      resetCounts(world.sim);
      // The second run is served from the Credential Manager, with no request.
      assert.deepEqual(await credentials(world, wincred), first);
      assert.deepEqual(world.sim.counts(), {});
      // Another process (this one) reads the items the CLI wrote.
      const addedKeys = (await keyring.keys()).filter((key) =>
        !before.has(key) && !key.startsWith("aws-okta-test-")
      );
      assert.ok(addedKeys.length >= 2, `new items: ${addedKeys}`);
    } finally {
      await world.close();
      // What the CLI added; the wincred unit test's own items (which --parallel may be writing now) stay.
      for (const key of await keyring.keys()) {
        if (!before.has(key) && !key.startsWith("aws-okta-test-")) await keyring.remove(key);
      }
    }
  },
);
