/**
 * The bad-input catalogue's shared shape: one case per way a user (or their network) can go wrong,
 * each run as the real CLI in a fresh world, checked for its exit code, exactly one `aws-okta:`
 * line naming the cause, no stack trace, nothing on stdout, no secret anywhere in the output, and
 * stored data unchanged.
 *
 * The cases live in several `bad_input_*_test.ts` files so `make test --parallel` spreads them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { FileKeyring } from "../../src/keyring/file.ts";
import { getOktaCredentials, setOktaCredentials } from "../../src/app/store/items.ts";
import {
  createWorld,
  expectCode,
  forgetDevices,
  PASSPHRASE,
  type RunResult,
  samlUrlOf,
  type World,
} from "./harness.ts";

/** The SAML role the catalogue's profiles use. */
export const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";

/** One bad-input case. */
export interface BadInputCase {
  name: string;
  /** Changes the world after `add` (config, simulator, keyring). */
  setup?: (world: World) => Promise<void> | void;
  args: string[];
  stdin?: string;
  env?: Record<string, string | undefined> | ((world: World) => Record<string, string | undefined>);
  code: number;
  /** Must match the error line. */
  message: RegExp;
  /** Skip the "keyring unchanged" check (cases that corrupt the keyring on purpose still check it). */
  mayWrite?: boolean;
  /** Extra checks after the common ones (e.g. that a proxy was really asked). */
  after?: (world: World, result: RunResult) => Promise<void> | void;
  /** Undoes what `setup` started outside the world (servers, files); runs in a `finally`. */
  teardown?: () => Promise<void> | void;
}

/** The catalogue's config: `[okta]` with the app link and `[profile dev]`, plus `extra` lines. */
export function config(world: World, extra = ""): string {
  return `[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
okta_aws_role_arn = ${ENGINEER}
${extra}`;
}

/** Forces a password login with MFA on the next call (no Okta session, no remembered device). */
export function coldOkta(world: World): void {
  world.sim.reset();
  forgetDevices(world.sim);
}

/** The file keyring of a world, opened with the tests' passphrase. */
export function worldKeyring(world: World): FileKeyring {
  return new FileKeyring({ dir: `${world.home}/.aws-okta`, passphrase: () => Promise.resolve(PASSPHRASE) });
}

/** Points the stored Okta credentials at another domain (an unreachable, slow or TLS host). */
export async function setOktaDomain(world: World, domain: string): Promise<void> {
  const keyring = worldKeyring(world);
  const creds = await getOktaCredentials(keyring, "okta-creds");
  await setOktaCredentials(keyring, "okta-creds", { ...creds, Domain: domain });
}

/** Hashes of every keyring file except the Okta cookies (which a login may legitimately refresh). */
export async function snapshot(world: World): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const dir = `${world.home}/.aws-okta`;
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => [] as Deno.DirEntry[]);
  for (const entry of entries) {
    if (!entry.isFile || entry.name.includes("cookie")) continue;
    const bytes = await Deno.readFile(`${dir}/${entry.name}`);
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    files.set(
      entry.name,
      Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(""),
    );
  }
  return files;
}

/** The checks every case shares. */
export function checkOneLineError(result: RunResult, testCase: BadInputCase, secrets: string[]): void {
  assert.equal(result.code, testCase.code, `exit code\n${result.stderr}`);
  const errorLines = result.stderr.split("\n").filter((line) => line.startsWith("aws-okta:"));
  assert.equal(errorLines.length, 1, `one error line:\n${result.stderr}`);
  assert.match(errorLines[0]!, testCase.message);
  assert.ok(
    !/unexpected error/.test(errorLines[0]!),
    `a known cause, not "unexpected error":\n${result.stderr}`,
  );
  assert.ok(!/^\s+at /m.test(result.stderr), `no stack trace:\n${result.stderr}`);
  assert.ok(!/^\s+at /m.test(result.stdout), "no stack trace on stdout");
  if (testCase.code !== 127) assert.equal(result.stdout, "", "nothing on stdout");
  for (const secret of secrets) {
    assert.ok(!result.stderr.includes(secret) && !result.stdout.includes(secret), "a secret leaked");
  }
}

/** Every secret the simulator handed out or was given, for the "no secret" check. */
export function worldSecrets(world: World): string[] {
  const secrets = [world.sim.state.users[0]!.password, PASSPHRASE];
  for (const session of world.sim.state.sessions.keys()) secrets.push(session);
  for (const token of world.sim.state.sessionTokens.keys()) secrets.push(token);
  for (const token of world.sim.state.transactions.keys()) secrets.push(token);
  for (const creds of world.sim.state.credentials.values()) {
    secrets.push(creds.secretAccessKey, creds.sessionToken);
  }
  return secrets;
}

/** Runs one case in a fresh world (config, `add`, setup, the command) and checks it. */
export async function runCase(testCase: BadInputCase): Promise<RunResult> {
  const world = await createWorld();
  try {
    await world.writeConfig(config(world));
    expectCode(await world.add(), 0);
    await testCase.setup?.(world);
    const before = await snapshot(world);
    const env = typeof testCase.env === "function" ? testCase.env(world) : testCase.env;
    const result = await world.run(testCase.args, {
      ...(testCase.stdin !== undefined ? { stdin: testCase.stdin } : {}),
      ...(env ? { env } : {}),
    });
    // BAD_INPUT_SHOW=1 prints each case's error line (the README's troubleshooting table is made from them).
    if (Deno.env.get("BAD_INPUT_SHOW")) {
      console.log(`\n${testCase.name}: exit ${result.code}\n${result.stderr}`);
    }
    checkOneLineError(result, testCase, worldSecrets(world));
    if (!testCase.mayWrite) assert.deepEqual(await snapshot(world), before, "stored data unchanged");
    await testCase.after?.(world, result);
    return result;
  } finally {
    await testCase.teardown?.();
    await world.close();
  }
}

/** Registers one `Deno.test` per case. */
export function defineCases(cases: readonly BadInputCase[]): void {
  for (const testCase of cases) {
    Deno.test(`bad input: ${testCase.name}`, async () => {
      await runCase(testCase);
    });
  }
}
