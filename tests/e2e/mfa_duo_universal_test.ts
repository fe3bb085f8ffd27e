/**
 * Duo's Universal Prompt end to end: the real CLI against the simulator's Okta `claims_provider`
 * factor and Duo's frameless v4 prompt (on a second host name, so cookie scoping is real). Push
 * approved, denied and timed out, a passcode on stdin, a second phone, the stored session reused,
 * and sixteen concurrent cold calls costing one push. stdout carries the JSON and nothing else.
 */

import assert from "node:assert/strict";
import type { SimFactor } from "../sim/state.ts";
import {
  assertIncludes,
  createWorld,
  expectCode,
  forgetDevices,
  type RunResult,
  samlUrlOf,
  type World,
} from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const PASSCODE = "271828";

/** A world whose user signs in through Duo's Universal Prompt, added and then made cold. */
async function universalWorld(duo: Partial<SimFactor> = {}): Promise<World> {
  const world = await createWorld();
  const factor: SimFactor = {
    id: "clpDUOup00000001",
    factorType: "claims_provider",
    provider: "CUSTOM",
    code: PASSCODE,
    ...duo,
  };
  // `add` signs in through the prompt too (approving at once), which stores a session to go stale.
  world.sim.state.users[0]!.factors = [{ ...factor, push: { decision: "approve" }, duo: {} }];
  await world.writeConfig(
    `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n\n[profile dev]\nokta_aws_role_arn = ${ENGINEER}\n`,
  );
  expectCode(await world.add(), 0);
  assert.equal(world.sim.count("duo-up:session"), 1, "add signed in through the Universal Prompt");
  world.sim.state.users[0]!.factors = [factor];
  world.sim.reset();
  forgetDevices(world.sim);
  return world;
}

/** stdout must be exactly one credential_process JSON document. */
function assertOnlyJson(stdout: string): void {
  const parsed = JSON.parse(stdout);
  assert.equal(stdout, JSON.stringify(parsed) + "\n");
  assert.equal(parsed.Version, 1);
  assert.match(parsed.AccessKeyId, /^ASIA/);
}

/** A failed run: exit 1, nothing on stdout, the message on one stderr line, no stack trace. */
function assertOneLineFailure(run: RunResult, message: string): void {
  expectCode(run, 1);
  assert.equal(run.stdout, "");
  const lines = run.stderr.split("\n").filter((line) => line.includes(message));
  assert.equal(lines.length, 1, run.stderr);
  assert.ok(!/^\s+at /m.test(run.stderr), run.stderr);
}

Deno.test("cred-process through Duo's Universal Prompt: push approved, JSON alone on stdout, no secret with --debug", async () => {
  const world = await universalWorld({ push: { decision: "approve", afterPolls: 2 } });
  try {
    const run = await world.run(["cred-process", "dev", "--debug"]);
    expectCode(run, 0);
    assertOnlyJson(run.stdout);
    assertIncludes(run.stderr, "Duo Push sent to phone1; waiting for approval");
    const { sim } = world;
    assert.equal(sim.count("duo:push"), 1);
    assert.equal(sim.count("duo-up:exit"), 1);
    assert.equal(sim.count("duo-up:session"), 1);
    assert.equal(sim.count("sts:AssumeRoleWithSAML"), 1);
    // Okta's cookies never went to Duo's host, nor Duo's to Okta's.
    for (const request of sim.state.requests) {
      const names = request.cookieNames;
      if (/^\/(oauth\/v1\/|frame\/)/.test(request.path)) {
        assert.ok(!names.includes("sid") && !names.includes("DT"), request.path);
      } else {
        assert.ok(names.every((name) => !/^(_xsrf|trc)\|/.test(name)), request.path);
      }
    }
    const secrets = [...sim.state.sessions.keys(), sim.state.users[0]!.password];
    for (const secret of secrets) assert.ok(!run.stderr.includes(secret), "a secret reached stderr");
    assert.ok(
      !/frameless-[0-9a-f]{8}|(sid|txid|code|state|_xsrf|stateToken)=(?!\*\*\*)/.test(run.stderr),
      run.stderr,
    );

    // The session Okta opened was stored: a refresh gets new SAML without asking Duo again.
    const again = await world.run(["cred-process", "dev", "--refresh"]);
    expectCode(again, 0);
    assertOnlyJson(again.stdout);
    assert.equal(sim.count("duo:push"), 1);
    assert.equal(sim.count("sts:AssumeRoleWithSAML"), 2);
    assert.ok(!again.stderr.includes("Duo Push sent"));
  } finally {
    await world.close();
  }
});

Deno.test("a denied Universal Prompt push: exit 1, one line, nothing cached", async () => {
  const world = await universalWorld({ push: { decision: "reject" } });
  try {
    const run = await world.run(["cred-process", "dev"]);
    assertOneLineFailure(run, "Duo Push was denied: User mistake");
    assert.equal(world.sim.count("duo-up:session"), 0);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 0);
  } finally {
    await world.close();
  }
});

Deno.test("a Universal Prompt push that times out at Duo: exit 1, one line", async () => {
  const world = await universalWorld({ push: { decision: "timeout", afterPolls: 1 } });
  try {
    const run = await world.run(["cred-process", "dev"]);
    assertOneLineFailure(run, "Duo Push timed out");
    assert.equal(world.sim.count("duo-up:exit"), 0);
  } finally {
    await world.close();
  }
});

Deno.test("a Universal Prompt passcode: asked on stderr, read from stdin, never echoed", async () => {
  const world = await universalWorld();
  try {
    const run = await world.run(["cred-process", "dev", "--mfa-duo-device", "phone1:passcode"], {
      stdin: `${PASSCODE}\n`,
    });
    expectCode(run, 0);
    assertOnlyJson(run.stdout);
    assertIncludes(run.stderr, "Enter a Duo Mobile passcode for phone1");
    assert.ok(!run.stderr.includes(PASSCODE));
    assert.equal(world.sim.count("duo:passcode"), 1);
    assert.equal(world.sim.count("duo:push"), 0);
  } finally {
    await world.close();
  }
});

Deno.test("the Universal Prompt with phone2, from --mfa-duo-device and from AWS_OKTA_MFA_DUO_DEVICE", async () => {
  // Only phone2 is enrolled, so the default phone1 would fail: success proves the choice arrived.
  const world = await universalWorld({ duo: { devices: ["phone2"], healthcheck: true } });
  try {
    const flag = await world.run(["cred-process", "dev", "--mfa-duo-device", "phone2"]);
    expectCode(flag, 0);
    assertOnlyJson(flag.stdout);
    assertIncludes(flag.stderr, "Duo Push sent to phone2; waiting for approval");

    world.sim.reset();
    forgetDevices(world.sim);
    const env = await world.run(["cred-process", "dev", "--refresh"], {
      env: { AWS_OKTA_MFA_DUO_DEVICE: "phone2:call" },
    });
    expectCode(env, 0);
    assertIncludes(env.stderr, "Duo is calling phone2");
    assert.equal(world.sim.count("duo:call"), 1);

    world.sim.reset();
    forgetDevices(world.sim);
    const unknown = await world.run(["cred-process", "dev", "--refresh"]);
    assertOneLineFailure(unknown, 'Duo offers no device "phone1" for this login (offered: "phone2")');
  } finally {
    await world.close();
  }
});

Deno.test("sixteen concurrent cold cred-process calls through the Universal Prompt: one login, one push", async () => {
  const world = await universalWorld({ push: { decision: "approve", afterPolls: 5 } });
  try {
    const runs = await Promise.all(Array.from({ length: 16 }, () => world.run(["cred-process", "dev"])));
    for (const run of runs) {
      expectCode(run, 0);
      assertOnlyJson(run.stdout);
    }
    assert.equal(new Set(runs.map((run) => JSON.parse(run.stdout).AccessKeyId)).size, 1);
    assert.equal(world.sim.count("POST /api/v1/authn"), 1);
    assert.equal(world.sim.count("duo:push"), 1);
    assert.equal(world.sim.count("duo-up:session"), 1);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    assert.equal(runs.filter((run) => run.stderr.includes("Duo Push sent")).length, 1);
  } finally {
    await world.close();
  }
});
