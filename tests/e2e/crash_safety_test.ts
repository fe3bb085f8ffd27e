/**
 * Crash safety: a process SIGKILLed at any point while it writes a keyring item or a credentials
 * file leaves the old or the new complete file, never a truncated or mixed one (the writers go
 * through src/fs/atomic_write.ts: temp file, fsync, rename). And many processes filling the
 * single-item session cache at once lose no session.
 *
 * Kills are aimed at writes: the writer loop prints "writing <n>" before each write, and the real
 * CLI is killed at random points of a run whose length was measured first.
 */

import assert from "node:assert/strict";
import { FileKeyring } from "../../src/keyring/file.ts";
import { getOktaCredentials, setOktaCredentials } from "../../src/app/store/items.ts";
import { headerText, parseIni, stripComment } from "../../src/config/ini.ts";
import { credentialsOf, keyringPayload } from "./crash_writer.ts";
import { cliArgv, CONFIG, createWorld, expectCode, PASSPHRASE, samlUrlOf, type World } from "./harness.ts";

/** CRASH_WRITER swaps in another writer (e.g. a deliberately non-atomic one, to see these tests fail). */
const WRITER = Deno.env.get("CRASH_WRITER") ?? new URL("./crash_writer.ts", import.meta.url).pathname;
const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
/** Kills per writer; `make fuzz`'s FUZZ_RUNS does not apply: each kill costs a process start. */
const KILLS = Number(Deno.env.get("CRASH_KILLS") ?? "") || 16;

function randomInt(max: number): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! % max;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the writer loop, measures how long one generation takes, and SIGKILLs it at a random
 * point of its `target`th generation (target >= 2).
 */
async function killWriterDuringWrite(
  mode: "keyring" | "credentials",
  path: string,
  target: number,
): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-A", "--config", CONFIG, WRITER, mode, path],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const started: number[] = [];
  while (!seen.includes(`writing ${target}\n`)) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
    while (started.length < (seen.match(/writing/g) ?? []).length) started.push(performance.now());
  }
  const period = (started[started.length - 1] ?? 0) - (started[started.length - 2] ?? 0);
  await sleep(randomInt(Math.max(1, Math.round(period))));
  child.kill("SIGKILL");
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL", `the writer was killed (wrote: ${seen.trim().split("\n").pop()})`);
  await reader.cancel().catch(() => {});
}

Deno.test("crash safety: SIGKILL during keyring writes leaves a complete, decryptable item", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-crash-keyring-" });
  try {
    for (let kill = 0; kill < KILLS; kill++) {
      await killWriterDuringWrite("keyring", dir, 2 + randomInt(2));
      const keyring = new FileKeyring({ dir, passphrase: () => Promise.resolve("crash test") });
      assert.deepEqual(await keyring.keys(), ["okta-creds"], "temp files are never listed as items");
      const item = await keyring.get("okta-creds");
      const payload = JSON.parse(new TextDecoder().decode(item.data));
      assert.equal(
        new TextDecoder().decode(item.data),
        keyringPayload(payload.generation),
        "a whole generation",
      );
    }
    // Not asserted (kills are random), but shows that kills landed between create and rename.
    const names = await Array.fromAsync(Deno.readDir(dir), (entry) => entry.name);
    console.log(`keyring: ${KILLS} kills, ${names.filter((n) => n.startsWith("%tmp-")).length} mid-write`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A credentials file with many other sections and comments, and one big value. */
function initialCredentials(): string {
  const lines = ["# managed by hand; aws-okta updates [dev] only", ""];
  for (let i = 0; i < 400; i++) {
    lines.push(
      `[team-${i}]`,
      `aws_access_key_id = AKIA${String(i).padStart(16, "0")}`,
      "region = eu-west-1 ; x",
      "",
    );
  }
  // One long line makes the file big to write but quick to parse, so kills tend to land mid-write.
  lines.push("[blob]", `data = ${"b".repeat(4_000_000)}`, "");
  lines.push("[dev]", "aws_access_key_id = OLD", "");
  return lines.join("\n");
}

/** The text outside [dev], chunk by chunk. */
function outsideDev(text: string): string {
  let inDev = false;
  let kept = "";
  for (const line of text.split(/(?<=\n)/)) {
    const header = headerText(stripComment(line.trimEnd()).trim());
    if (header !== undefined) inDev = header === "dev";
    if (!inDev) kept += line;
  }
  return kept;
}

Deno.test("crash safety: SIGKILL during credentials-file writes leaves the old or the new whole file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-crash-creds-" });
  const file = `${dir}/credentials`;
  try {
    const initial = initialCredentials();
    await Deno.writeTextFile(file, initial);
    for (let kill = 0; kill < KILLS; kill++) {
      await killWriterDuringWrite("credentials", file, 2 + randomInt(2));
      const text = await Deno.readTextFile(file);
      assert.equal(outsideDev(text), outsideDev(initial), "every other section intact");
      const dev = parseIni(text, file).find((section) => section.key === "dev")!;
      if (dev.values.aws_access_key_id === "OLD") {
        assert.equal(text, initial, "the old file, whole");
        continue;
      }
      const generation = Number(dev.values.aws_access_key_id!.slice(4, 12));
      const creds = credentialsOf(generation);
      assert.deepEqual({ ...dev.values }, {
        aws_access_key_id: creds.accessKeyId,
        aws_secret_access_key: creds.secretAccessKey,
        aws_session_token: creds.sessionToken,
        aws_security_token: creds.sessionToken,
        x_security_token_expires: creds.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
      }, "one generation, whole");
    }
    const names = await Array.fromAsync(Deno.readDir(dir), (entry) => entry.name);
    console.log(`credentials: ${KILLS} kills, ${names.filter((n) => n.includes(".tmp-")).length} mid-write`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Starts the real CLI like the harness does, but returns the process so it can be killed. */
function spawnCli(world: World, args: string[]): Deno.ChildProcess {
  const [program, ...argv] = cliArgv(args);
  return new Deno.Command(program!, {
    args: argv,
    env: world.env,
    clearEnv: true,
    cwd: world.home,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** Every keyring item opens, and every credentials file section is one whole set of keys. */
async function assertStoredDataWhole(world: World, credentialsFile: string): Promise<void> {
  const keyring = new FileKeyring({
    dir: `${world.home}/.aws-okta`,
    passphrase: () => Promise.resolve(PASSPHRASE),
  });
  for (const key of await keyring.keys()) await keyring.get(key);
  const text = await Deno.readTextFile(credentialsFile).catch(() => undefined);
  if (text === undefined) return;
  const dev = parseIni(text, credentialsFile).find((section) => section.key === "dev");
  assert.ok(dev, "the [dev] section is there");
  assert.deepEqual(Object.keys(dev.values).sort(), [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_security_token",
    "aws_session_token",
    "x_security_token_expires",
  ]);
  assert.equal(dev.values.aws_security_token, dev.values.aws_session_token);
  assert.ok(
    [...world.sim.state.credentials.values()].some((c) =>
      c.accessKeyId === dev.values.aws_access_key_id && c.sessionToken === dev.values.aws_session_token
    ),
    "keys and token of one STS answer",
  );
}

Deno.test("crash safety: the real CLI SIGKILLed at random points of cred-process and write-to-credentials", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(
      `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n\n[profile dev]\nokta_aws_role_arn = ${ENGINEER}\n`,
    );
    expectCode(await world.add(), 0);
    const file = `${world.home}/.aws/credentials`;
    const commands = [
      ["cred-process", "--refresh", "dev"],
      ["cred-process", "--refresh", "--session-cache-single-item", "dev"],
      ["write-to-credentials", "--refresh", "dev", file],
    ];
    for (const args of commands) {
      const started = performance.now();
      expectCode(await world.run(args), 0);
      const length = performance.now() - started;
      for (let kill = 0; kill < Math.ceil(KILLS / 2); kill++) {
        const child = spawnCli(world, args);
        // Anywhere from start-up to the end of the run, weighted to its second half (the writes).
        await sleep(length * (0.3 + (randomInt(1000) / 1000) * 0.8));
        try {
          child.kill("SIGKILL");
        } catch {
          // It finished first: fine, the data must be whole all the same.
        }
        await child.status;
        await assertStoredDataWhole(world, file);
      }
      expectCode(await world.run(args), 0);
      await assertStoredDataWhole(world, file);
    }
  } finally {
    await world.close();
  }
});

Deno.test("concurrency: twelve processes filling the single-item session cache at once lose no session", async () => {
  const world = await createWorld();
  try {
    const accounts = Array.from({ length: 12 }, (_, i) => `team${i}`);
    // One Okta account per profile, so the logins do not queue behind one login lock and the
    // writes to the one cache item really race.
    await world.writeConfig(
      `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n` +
        accounts.map((account) =>
          `\n[profile ${account}]\nokta_aws_role_arn = ${ENGINEER}\nokta_account_name = ${account}\n` +
          `okta_session_cookie_key = okta-session-cookie-${account}\n`
        ).join(""),
    );
    expectCode(await world.add(), 0);
    const keyring = new FileKeyring({
      dir: `${world.home}/.aws-okta`,
      passphrase: () => Promise.resolve(PASSPHRASE),
    });
    const creds = await getOktaCredentials(keyring, "okta-creds");
    for (const account of accounts) await setOktaCredentials(keyring, `okta-creds-${account}`, creds);

    const env = { AWS_OKTA_SESSION_CACHE_SINGLE_ITEM: "true" };
    const cold = await Promise.all(accounts.map((account) => world.run(["cred-process", account], { env })));
    for (const result of cold) expectCode(result, 0);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), accounts.length);

    const item = await keyring.get("session-cache");
    const sessions = JSON.parse(new TextDecoder().decode(item.data)).Sessions;
    assert.equal(Object.keys(sessions).length, accounts.length, "every session is in the one item");

    const warm = await Promise.all(accounts.map((account) => world.run(["cred-process", account], { env })));
    for (const [i, result] of warm.entries()) {
      expectCode(result, 0);
      assert.equal(JSON.parse(result.stdout).AccessKeyId, JSON.parse(cold[i]!.stdout).AccessKeyId);
    }
    assert.equal(
      world.sim.count("sts:AssumeRoleWithSAML"),
      accounts.length,
      "all twelve answered from the cache",
    );
  } finally {
    await world.close();
  }
});

Deno.test("concurrency: eight write-to-credentials at once into one file keep all eight sections", async () => {
  const world = await createWorld();
  try {
    const names = Array.from({ length: 8 }, (_, i) => `p${i}`);
    await world.writeConfig(
      `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n` +
        names.map((name) => `\n[profile ${name}]\nokta_aws_role_arn = ${ENGINEER}\n`).join(""),
    );
    expectCode(await world.add(), 0);
    for (const name of names) expectCode(await world.run(["cred-process", name]), 0);
    const file = `${world.home}/.aws/credentials`;
    // A big file widens the window between reading it and renaming the new copy in.
    await Deno.writeTextFile(file, `[blob]\ndata = ${"b".repeat(4_000_000)}\n`);
    const results = await Promise.all(names.map((name) => world.run(["write-to-credentials", name, file])));
    for (const result of results) expectCode(result, 0);
    const sections = parseIni(await Deno.readTextFile(file), file).map((section) => section.key);
    assert.deepEqual(sections.sort(), ["blob", ...names].sort(), "no writer dropped another's section");
  } finally {
    await world.close();
  }
});
