/**
 * No login wasted, no data in the wrong place: what the CLI does at the edges of its environment
 * (no HOME, read-only directories, damaged disposable items, revoked cached hops, a closed
 * stdout, a child killed by a signal, an environment too big for the OS), each the real CLI as a
 * subprocess against the simulators.
 */

import assert from "node:assert/strict";
import { createWorld, expectCode, type RunResult, samlUrlOf, type World } from "./harness.ts";

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
