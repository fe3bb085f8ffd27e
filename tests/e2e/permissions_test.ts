/**
 * Least privilege: the "aws-okta" permission set in deno.json (the launcher's and the compiled
 * binary's) is what the README documents, every e2e test runs the CLI under it, and running with
 * less than it gives one clear line naming the missing permission, never a stack trace.
 */

import assert from "node:assert/strict";
import { CONFIG, createWorld, expectCode, MAIN, type RunResult, samlUrlOf, type World } from "./harness.ts";

const ROOT = new URL("../../", import.meta.url);

/** The "aws-okta" permission set, as flags, minus `without`. */
async function flagsWithout(without: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(CONFIG));
  const set: Record<string, boolean | string[]> = config.permissions["aws-okta"];
  const flags: string[] = [];
  for (const [name, value] of Object.entries(set)) {
    if (name === without || value === false) continue;
    flags.push(value === true ? `--allow-${name}` : `--allow-${name}=${value.join(",")}`);
  }
  return flags;
}

/** Runs the CLI from the sources with explicit permission flags instead of the set. */
async function runWith(world: World, flags: string[], args: string[]): Promise<RunResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "--no-prompt", ...flags, "--config", CONFIG, MAIN, ...args],
    env: world.env,
    clearEnv: true,
    cwd: world.home,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

function assertPermissionLine(result: RunResult, permission: string, what: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line:\n${result.stderr}`);
  assert.match(lines[0]!, what);
  assert.ok(lines[0]!.startsWith("aws-okta: "), lines[0]);
  assert.ok(lines[0]!.includes(`"${permission}"`), `names the permission: ${lines[0]}`);
  assert.ok(!/^\s+at /m.test(result.stderr), "no stack trace");
}

Deno.test("permissions: the README's Permissions table lists exactly the aws-okta permission set", async () => {
  const config = JSON.parse(await Deno.readTextFile(CONFIG));
  const set: Record<string, boolean | string[]> = config.permissions["aws-okta"];
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const section = readme.split(/^## /m).find((part) => part.startsWith("Permissions\n"));
  assert.ok(section, "README has a Permissions section");
  const documented = new Map<string, string>();
  for (const match of section.matchAll(/^\| `(\w+)`(?: \(([^)]*)\))? +\|/gm)) {
    documented.set(match[1]!, match[2] ?? "");
  }
  assert.deepEqual([...documented.keys()].sort(), Object.keys(set).filter((k) => set[k] !== false).sort());
  for (const [name, value] of Object.entries(set)) {
    if (Array.isArray(value)) {
      assert.equal(documented.get(name), value.map((v) => `\`${v}\``).join(", "), `the ${name} names`);
    }
  }
});

Deno.test("permissions: running with less than the set is one line naming the permission", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(
      `[okta]\naws_saml_url = ${
        samlUrlOf(world.sim)
      }\n\n[profile dev]\nokta_aws_role_arn = arn:aws:iam::123456789012:role/Engineer\n`,
    );
    expectCode(await world.add(), 0);

    const noNet = await runWith(world, await flagsWithout("net"), ["cred-process", "--refresh", "dev"]);
    assertPermissionLine(
      noNet,
      "net",
      /^aws-okta: missing Deno permission: requires net access to "127\.0\.0\.1:\d+"/,
    );

    const noEnv = await runWith(world, await flagsWithout("env"), ["cred-process", "dev"]);
    assertPermissionLine(noEnv, "env", /^aws-okta: missing Deno permission: requires env access to/);

    const noRun = await runWith(world, await flagsWithout("run"), ["exec", "dev", "--", "true"]);
    assertPermissionLine(noRun, "run", /missing Deno permission: requires run access/);

    // Without read, looking the program up on PATH fails: that is said, not "command not found".
    const noReadExec = await runWith(world, await flagsWithout("read"), ["exec", "dev", "--", "true"]);
    assertPermissionLine(noReadExec, "read", /missing Deno permission: requires read access/);
    const noWrite = await runWith(world, await flagsWithout("write"), ["cred-process", "--refresh", "dev"]);
    assertPermissionLine(noWrite, "write", /missing Deno permission: requires write access/);
    // The config file is read by the config layer, which words it itself.
    const noRead = await runWith(world, await flagsWithout("read"), ["cred-process", "dev"]);
    assert.equal(noRead.code, 1);
    assert.equal(
      noRead.stderr,
      `aws-okta: cannot read "${world.configFile}": no read permission for this process\n`,
    );

    // The set itself is enough for the whole flow (and every other e2e test runs under it).
    expectCode(await world.run(["cred-process", "--refresh", "dev"]), 0);
  } finally {
    await world.close();
  }
});
