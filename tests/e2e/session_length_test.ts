/**
 * Sessions as long as AWS allows, end to end: the AWS app's SessionDuration (12 h) against a role
 * whose MaxSessionDuration is the IAM default of 1 h, in the classic flow, the device flow and
 * `web` (cred-process included): one refused call, a retry at 1 h, the refusal remembered per role
 * (and forgotten after a day); a length the user asked for stays an error naming their flag.
 */

import assert from "node:assert/strict";
import { DEMO_CLIENT_ID } from "../sim/idx_state.ts";
import {
  assertIncludes,
  createDevWorld,
  createWorld,
  expectCode,
  resetCounts,
  type World,
} from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";

/** The app asks for 12 h; the role allows 1 h, as an IAM role does unless raised. */
function limitRole(world: World): void {
  world.sim.state.users[0]!.apps[0]!.sessionDuration = 43200;
  world.sim.state.roles[ENGINEER] = { maxSessionDuration: 3600 };
}

function lifetimeOf(world: World, stdout: string): number {
  return world.sim.state.credentials.get(JSON.parse(stdout).AccessKeyId)!.durationSeconds;
}

/** Makes the remembered refusal two days old. */
async function ageMemory(world: World): Promise<void> {
  const path = `${world.home}/locks/max-session-duration.json`;
  const memory = JSON.parse(await Deno.readTextFile(path));
  assert.ok(memory[ENGINEER], "the refusal is remembered per role");
  assert.equal(memory[ENGINEER].refused, 43200);
  memory[ENGINEER].at = new Date(Date.now() - 2 * 86400_000).toISOString();
  await Deno.writeTextFile(path, JSON.stringify(memory));
}

/** cred-process for `profile`: the fallback, the memory, its expiry, and the user's own length. */
async function exercise(world: World, profile: string): Promise<void> {
  limitRole(world);
  resetCounts(world.sim);
  const first = await world.run(["cred-process", profile]);
  expectCode(first, 0);
  assert.equal(lifetimeOf(world, first.stdout), 3600);
  assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 2, "one refused call, one retry at 1h");
  assertIncludes(first.stderr, `"${ENGINEER}" allows no 12h sessions`);

  resetCounts(world.sim);
  const second = await world.run(["cred-process", "--refresh", profile]);
  expectCode(second, 0);
  assert.equal(lifetimeOf(world, second.stdout), 3600);
  assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1, "remembered: no refused call");
  assert.ok(!second.stderr.includes("allows no"), second.stderr);

  // A day later, with the role raised to 12 h, the longer session is asked for and granted.
  await ageMemory(world);
  world.sim.state.roles[ENGINEER] = { maxSessionDuration: 43200 };
  resetCounts(world.sim);
  const raised = await world.run(["cred-process", "--refresh", profile]);
  expectCode(raised, 0);
  assert.equal(lifetimeOf(world, raised.stdout), 43200);
  assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);

  // Asked for by the user: no retry, and the error names the flag.
  world.sim.state.roles[ENGINEER] = { maxSessionDuration: 3600 };
  resetCounts(world.sim);
  const asked = await world.run(["cred-process", "--refresh", "-t", "2h", profile]);
  expectCode(asked, 1);
  assert.equal(asked.stdout, "");
  assertIncludes(
    asked.stderr,
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role;",
  );
  assertIncludes(asked.stderr, "lower -t/--session-ttl");
  assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
}

Deno.test("session length, classic flow: 12h refused by a 1h role falls back to 1h, remembered per role", async () => {
  const world = await createDevWorld();
  try {
    await exercise(world, "dev");
  } finally {
    await world.close();
  }
});

Deno.test("session length, device flow: 12h refused by a 1h role falls back to 1h, remembered per role", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(`[profile idx]
okta_org_domain = ${world.sim.url}
okta_oidc_client_id = ${DEMO_CLIENT_ID}
okta_aws_role_arn = ${ENGINEER}
`);
    await exercise(world, "idx");
  } finally {
    await world.close();
  }
});

Deno.test("session length, web: the fallback without -s; with -s the error names --aws-session-duration", async () => {
  const world = await createWorld();
  try {
    limitRole(world);
    const base = [
      "web",
      "-o",
      world.sim.url,
      "-c",
      DEMO_CLIENT_ID,
      "-r",
      ENGINEER,
      "-f",
      "process-credentials",
    ];
    const fallback = await world.run(base);
    expectCode(fallback, 0);
    assert.equal(lifetimeOf(world, fallback.stdout), 3600);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 2);
    resetCounts(world.sim);
    const asked = await world.run([...base, "-s", "7200"]);
    expectCode(asked, 1);
    assertIncludes(asked.stderr, "lower --aws-session-duration (OKTA_AWSCLI_SESSION_DURATION)");
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
  } finally {
    await world.close();
  }
});
