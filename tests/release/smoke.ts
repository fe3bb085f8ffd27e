/**
 * The release gate: what a built aws-okta must do on its own OS before it is published.
 *
 *   deno run -P=test tests/release/smoke.ts <path to the aws-okta binary or launcher>
 *
 * 1. `version` and `--help` answer.
 * 2. A full classic login against the Okta/STS simulator (started here, from the checkout): `add`
 *    checks the password with a real login, `cred-process` logs in and assumes the role; the next
 *    `cred-process` is a cache hit that makes no request.
 * 3. The cache hit's start-up time beside an empty `deno run`, printed (never asserted: machines vary).
 * 4. The OS keyring, where the machine has one (macOS Keychain, Windows Credential Manager, or
 *    $AWS_OKTA_SMOKE_BACKEND): the same `add` and cache hit with that backend; the items are removed after.
 *
 * Exits 1 naming the step that failed. The release workflow runs it on a runner of each target's OS;
 * `make smoke` runs it here against an installed launcher.
 *
 * @module
 */

import { createWorld, expectCode, resetCounts, samlUrlOf, type World } from "../e2e/harness.ts";
import { timeCommand } from "../bench/time_command.ts";

if (!Deno.args[0]) {
  console.error("usage: deno run -P=test tests/release/smoke.ts <aws-okta binary>");
  Deno.exit(2);
}
// Absolute: the runs start in a temporary HOME.
const binary = await Deno.realPath(Deno.args[0]);
// The harness runs this binary instead of the sources.
Deno.env.set("AWS_OKTA_E2E_BIN", binary);

const RUNS = Number(Deno.env.get("SMOKE_RUNS") ?? "15");
const ROLE = "arn:aws:iam::123456789012:role/Engineer";

/** The OS keyring this machine has, if any. */
function nativeBackend(): string | undefined {
  const chosen = Deno.env.get("AWS_OKTA_SMOKE_BACKEND");
  if (chosen !== undefined) return chosen || undefined;
  if (Deno.build.os === "darwin") return "keychain";
  if (Deno.build.os === "windows") return "wincred";
  return undefined;
}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await fn();
    console.log(`ok   ${name} (${Math.round(performance.now() - started)} ms)`);
    return result;
  } catch (error) {
    console.log(`FAIL ${name}`);
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `add` then two `cred-process` runs: the first logs in, the second is served from the cache. */
async function loginAndHit(world: World, env: Record<string, string>, account: string): Promise<void> {
  const user = world.sim.state.users[0]!;
  const added = await world.run(
    ["add", "--domain", world.sim.url, "--username", user.login, "--account", account],
    { stdin: `${user.password}\n`, env },
  );
  expectCode(added, 0);
  resetCounts(world.sim);
  const first = await world.run(["cred-process", "dev"], { env });
  expectCode(first, 0);
  const creds = JSON.parse(first.stdout);
  check(
    creds.Version === 1 && /^ASIA/.test(creds.AccessKeyId),
    `unexpected credential_process JSON: ${first.stdout}`,
  );
  check(
    Object.keys(world.sim.counts()).length > 0,
    "the first cred-process made no request: no login happened",
  );
  resetCounts(world.sim);
  const second = await world.run(["cred-process", "dev"], { env });
  expectCode(second, 0);
  check(second.stdout === first.stdout, "the cache hit returned other credentials");
  const requests = world.sim.counts();
  check(Object.keys(requests).length === 0, `the cache hit made requests: ${JSON.stringify(requests)}`);
}

/** Removes what a run left in the OS keyring (the Credential Manager and Keychain outlive the test). */
async function removeNative(backend: string, keysBefore: Set<string>): Promise<void> {
  if (backend === "wincred") {
    const { WincredKeyring } = await import("../../src/keyring/windows/wincred.ts");
    const keyring = WincredKeyring.open();
    for (const key of await keyring.keys()) if (!keysBefore.has(key)) await keyring.remove(key);
  } else if (backend === "keychain") {
    const { KeychainKeyring } = await import("../../src/keyring/macos/keychain.ts");
    const keyring = KeychainKeyring.open();
    for (const key of await keyring.keys()) if (!keysBefore.has(key)) await keyring.remove(key);
  }
}

async function nativeKeys(backend: string): Promise<Set<string>> {
  if (backend === "wincred") {
    const { WincredKeyring } = await import("../../src/keyring/windows/wincred.ts");
    return new Set(await WincredKeyring.open().keys());
  }
  if (backend === "keychain") {
    const { KeychainKeyring } = await import("../../src/keyring/macos/keychain.ts");
    return new Set(await KeychainKeyring.open().keys());
  }
  return new Set();
}

const world = await createWorld();
try {
  await world.writeConfig(`[okta]
aws_saml_url = ${samlUrlOf(world.sim)}
okta_account_name = smoke

[profile dev]
okta_aws_role_arn = ${ROLE}
region = us-west-2
`);

  await step("version", async () => {
    const result = await world.run(["version"]);
    expectCode(result, 0);
    check(/aws-okta/.test(result.stdout), `version printed: ${result.stdout}`);
    console.log(`     ${result.stdout.trim().split("\n").join(" | ")}`);
  });
  await step("--help", async () => {
    const result = await world.run(["--help"]);
    expectCode(result, 0);
    check(result.stdout.includes("cred-process"), "--help does not list cred-process");
  });
  await step(
    "classic login against the simulator, then a cache hit (file keyring)",
    () => loginAndHit(world, {}, "smoke"),
  );

  await step(`start-up: cache hit vs empty deno run, median of ${RUNS}`, async () => {
    const empty = await Deno.makeTempFile({ dir: world.home, suffix: ".ts" });
    const hits: number[] = [];
    const empties: number[] = [];
    for (let i = 0; i < RUNS + 2; i++) {
      const hit = await timeCommand(["cred-process", "dev"], world.env, binary);
      const none = await timeCommand(["run", "-q", empty], world.env);
      // The first two warm the OS caches.
      if (i >= 2) {
        hits.push(hit);
        empties.push(none);
      }
    }
    console.log(
      `     aws-okta cred-process (cache hit): ${median(hits).toFixed(1)} ms; ` +
        `deno run (empty file): ${median(empties).toFixed(1)} ms; ` +
        `ratio ${(median(hits) / median(empties)).toFixed(2)} (${Deno.build.os} ${Deno.build.arch})`,
    );
  });

  const backend = nativeBackend();
  if (backend) {
    const before = await nativeKeys(backend);
    try {
      await step(`${backend} keyring: add, login, cache hit`, async () => {
        await Deno.remove(`${world.home}/.aws-okta`, { recursive: true });
        await loginAndHit(world, { AWS_OKTA_BACKEND: backend }, "smoke");
        // Nothing fell back to the file keyring.
        const files = await Deno.stat(`${world.home}/.aws-okta`).then(() => true, () => false);
        check(!files, `the ${backend} run wrote the file keyring`);
      });
    } finally {
      await removeNative(backend, before);
    }
  } else {
    console.log("skip OS keyring: none on this machine (set AWS_OKTA_SMOKE_BACKEND to name one)");
  }
} finally {
  await world.close();
}
