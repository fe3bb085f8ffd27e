/**
 * Single-flight logins: concurrent cold calls cost one Okta login and one MFA push, and all of them
 * get the same fresh credentials.
 */

import assert from "node:assert/strict";
import { createWorld, expectCode, forgetDevices, samlUrlOf } from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";

Deno.test("sixteen concurrent cold cred-process calls: one authn, one push, sixteen successes", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(
      `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n\n[profile dev]\nokta_aws_role_arn = ${ENGINEER}\n`,
    );
    expectCode(await world.add(), 0);
    // Cold: no Okta session, no remembered device, no cached AWS session. The push needs a few
    // polls, so that the other fifteen really arrive while the first one is logging in.
    world.sim.reset();
    forgetDevices(world.sim);
    world.sim.state.users[0]!.factors[0]!.push = { decision: "approve", afterPolls: 5 };

    const runs = await Promise.all(Array.from({ length: 16 }, () => world.run(["cred-process", "dev"])));
    for (const run of runs) expectCode(run, 0);
    const keys = new Set(runs.map((run) => JSON.parse(run.stdout).AccessKeyId));
    assert.equal(keys.size, 1, "every caller got the one fresh session");
    assert.equal(world.sim.count("POST /api/v1/authn"), 1);
    assert.equal(world.sim.count("push:sent"), 1);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    const waited = runs.filter((run) => run.stderr.includes("Waiting for another aws-okta process")).length;
    assert.ok(waited >= 1, "the callers that waited said so on stderr");
    for (const run of runs) assert.equal(run.stdout, JSON.stringify(JSON.parse(run.stdout)) + "\n");
  } finally {
    await world.close();
  }
});

Deno.test("concurrent cold calls for different profiles of one Okta account share one login", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(`[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
okta_aws_role_arn = ${ENGINEER}

[profile ro]
okta_aws_role_arn = arn:aws:iam::123456789012:role/ReadOnly

[profile admin]
source_profile = dev
role_arn = arn:aws:iam::123456789012:role/Admin
`);
    expectCode(await world.add(), 0);
    world.sim.reset();
    forgetDevices(world.sim);
    world.sim.state.users[0]!.factors[0]!.push = { decision: "approve", afterPolls: 3 };
    const profiles = ["dev", "ro", "admin", "dev", "ro", "admin"];
    const runs = await Promise.all(profiles.map((p) => world.run(["cred-process", p])));
    for (const run of runs) expectCode(run, 0);
    assert.equal(world.sim.count("POST /api/v1/authn"), 1);
    assert.equal(world.sim.count("push:sent"), 1);
    // dev and admin share the SAML hop; ro has its own role.
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 2);
    assert.equal(world.sim.count("sts:AssumeRole"), 1);
  } finally {
    await world.close();
  }
});
