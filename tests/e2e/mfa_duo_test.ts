/**
 * Duo end to end: the real CLI against the Okta simulator's Duo factor and Duo frame endpoints.
 * Push, phone choice (flag, environment, profile), passcode on stdin, denial, Universal Prompt, and
 * sixteen concurrent cold calls costing one Duo Push. stdout carries the JSON and nothing else.
 */

import assert from "node:assert/strict";
import type { SimFactor } from "../sim/state.ts";
import { assertIncludes, createWorld, expectCode, forgetDevices, samlUrlOf, type World } from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";

/** A world whose user has one Duo factor, added and then made cold (no Okta session, no device). */
async function duoWorld(duo: Partial<SimFactor> = {}, profileExtra = ""): Promise<World> {
  const world = await createWorld();
  const factor: SimFactor = {
    id: "dsfDUO0000000001",
    factorType: "web",
    provider: "DUO",
    code: "314159",
    ...duo,
  };
  world.sim.state.users[0]!.factors = [{ ...factor, push: { decision: "approve" }, duo: {} }];
  await world.writeConfig(
    `[okta]\naws_saml_url = ${
      samlUrlOf(world.sim)
    }\n\n[profile dev]\nokta_aws_role_arn = ${ENGINEER}\n${profileExtra}`,
  );
  expectCode(await world.add(), 0);
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

Deno.test("cred-process with Duo Push: progress on stderr, only the JSON on stdout", async () => {
  const world = await duoWorld({ push: { decision: "approve", afterPolls: 2 } });
  try {
    const run = await world.run(["cred-process", "dev"]);
    expectCode(run, 0);
    assertOnlyJson(run.stdout);
    assertIncludes(run.stderr, "Duo Push sent to phone1; waiting for approval");
    assert.equal(world.sim.count("duo:push"), 1);
    assert.equal(world.sim.count("duo:callback"), 1);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    for (const secret of ["AUTH|", "TX|", "APP|", "sid="]) assert.ok(!run.stderr.includes(secret), secret);
  } finally {
    await world.close();
  }
});

Deno.test("Duo phone choice: --mfa-duo-device, AWS_OKTA_MFA_DUO_DEVICE and mfa_duo_device", async () => {
  // Only phone2 is enrolled, so the default phone1 would fail: success proves the choice arrived.
  const world = await duoWorld({ duo: { devices: ["phone2"] } });
  try {
    const flag = await world.run(["cred-process", "dev", "--mfa-duo-device", "phone2"]);
    expectCode(flag, 0);
    assertOnlyJson(flag.stdout);
    assertIncludes(flag.stderr, "Duo Push sent to phone2");

    // Each login below must ask for MFA again: no Okta session, no remembered device.
    const refresh = ["cred-process", "dev", "--refresh"];
    world.sim.reset();
    forgetDevices(world.sim);
    const env = await world.run(refresh, { env: { AWS_OKTA_MFA_DUO_DEVICE: "phone2:call" } });
    expectCode(env, 0);
    assertIncludes(env.stderr, "Duo is calling phone2");
    assert.equal(world.sim.count("duo:call"), 1);

    world.sim.reset();
    forgetDevices(world.sim);
    const refused = await world.run(refresh, { env: { AWS_OKTA_MFA_DUO_DEVICE: "phone1" } });
    expectCode(refused, 1);
    assertIncludes(refused.stderr, "Duo refused the prompt request: Unknown device: phone1");
    assert.equal(refused.stdout, "");
  } finally {
    await world.close();
  }
  const profile = await duoWorld({ duo: { devices: ["phone2"] } }, "mfa_duo_device = phone2\n");
  try {
    const run = await profile.run(["cred-process", "dev"]);
    expectCode(run, 0);
    assertIncludes(run.stderr, "Duo Push sent to phone2");
  } finally {
    await profile.close();
  }
});

Deno.test("Duo passcode from a token: asked on stderr, read from stdin, JSON alone on stdout", async () => {
  const world = await duoWorld();
  try {
    const run = await world.run(["cred-process", "dev", "--mfa-duo-device", "token"], { stdin: "314159\n" });
    expectCode(run, 0);
    assertOnlyJson(run.stdout);
    assertIncludes(run.stderr, "Enter the passcode from your Duo token");
    assert.ok(!run.stderr.includes("314159"));
    assert.equal(world.sim.count("duo:passcode"), 1);
    assert.equal(world.sim.count("duo:push"), 0);
  } finally {
    await world.close();
  }
});

Deno.test("a denied Duo Push fails with exit 1, one clear line, nothing on stdout, nothing cached", async () => {
  const world = await duoWorld({ push: { decision: "reject" } });
  try {
    const run = await world.run(["cred-process", "dev"]);
    expectCode(run, 1);
    assert.equal(run.stdout, "");
    assertIncludes(run.stderr, "Duo Push was denied: User mistake");
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 0);
  } finally {
    await world.close();
  }
});

Deno.test("Duo's Universal Prompt: a plain error pointing at the device flow", async () => {
  const world = await duoWorld({ duo: { universalPrompt: true } });
  try {
    const run = await world.run(["cred-process", "dev"]);
    expectCode(run, 1);
    assert.equal(run.stdout, "");
    assertIncludes(run.stderr, "Duo moved this login to its Universal Prompt, which needs a browser");
    assertIncludes(run.stderr, "okta_auth_flow = device");
  } finally {
    await world.close();
  }
});

Deno.test("sixteen concurrent cold cred-process calls with Duo: one login, one Duo Push", async () => {
  const world = await duoWorld({ push: { decision: "approve", afterPolls: 5 } });
  try {
    const runs = await Promise.all(Array.from({ length: 16 }, () => world.run(["cred-process", "dev"])));
    for (const run of runs) {
      expectCode(run, 0);
      assertOnlyJson(run.stdout);
    }
    assert.equal(new Set(runs.map((run) => JSON.parse(run.stdout).AccessKeyId)).size, 1);
    assert.equal(world.sim.count("POST /api/v1/authn"), 1);
    assert.equal(world.sim.count("duo:push"), 1);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    assert.equal(runs.filter((run) => run.stderr.includes("Duo Push sent")).length, 1);
  } finally {
    await world.close();
  }
});
