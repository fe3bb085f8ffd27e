/**
 * Interactive use as users meet it: a person at a pseudo-terminal runs the real AWS CLI, which runs
 * the installed launcher (`make install`) as its credential_process with stdout and stderr
 * captured; the number challenge must be visible on the terminal and a TOTP code typed there must
 * be used. The same for `exec` and for `eval "$(aws-okta env …)"` in a shell.
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { requirePeer } from "../peers.ts";
import { PYTHON, runOnPty } from "../pty.ts";
import { createWorld, expectCode, forgetDevices, samlUrlOf, type World } from "./harness.ts";
import { installedLauncher } from "./installed.ts";

const AWS = requirePeer("aws", "pip install awscli");
const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const TOTP = "246810";

/** A world with one role, the password stored, and an installed aws-okta first on PATH. */
async function setUp(): Promise<{ world: World; env: Record<string, string> }> {
  const world = await createWorld();
  world.sim.state.users[0]!.apps[0]!.roles = [{
    roleArn: ENGINEER,
    principalArn: "arn:aws:iam::123456789012:saml-provider/Okta",
  }];
  await world.writeConfig(`[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
okta_aws_role_arn = ${ENGINEER}
region = us-east-1
credential_process = aws-okta cred-process dev
`);
  expectCode(await world.add(), 0);
  // No Okta session and no remembered device: the first call logs in with MFA.
  world.sim.reset();
  forgetDevices(world.sim);
  const launcher = await installedLauncher();
  const env: Record<string, string> = {
    ...world.env,
    PATH: [dirname(launcher), dirname(AWS!), world.env.PATH].join(":"),
    AWS_PAGER: "",
    TERM: "dumb",
  };
  // As a person's shell has it: prompts go wherever aws-okta finds the person, not to stdin lines.
  delete env.AWS_OKTA_PROMPT;
  return { world, env };
}

/** Adds a TOTP factor (the user then has two: a prompt asks which). */
function addTotp(world: World): void {
  world.sim.state.users[0]!.factors.push({
    id: "ost1totpAAAAAAAAAAA1",
    factorType: "token:software:totp",
    provider: "GOOGLE",
    code: TOTP,
  });
}

const CALLER_IDENTITY = ["aws", "sts", "get-caller-identity", "--profile", "dev", "--output", "json"];

Deno.test({
  name: "pty → aws → credential_process: the number challenge shows on the terminal, aws gets credentials",
  ignore: !AWS || !PYTHON,
  async fn() {
    const { world, env } = await setUp();
    try {
      world.sim.state.users[0]!.factors[0]!.push = { decision: "approve", afterPolls: 2, correctAnswer: 42 };
      const result = await runOnPty(CALLER_IDENTITY, [], { env, cwd: world.home });
      assert.equal(result.code, 0, result.output);
      assert.equal(world.sim.count("push:sent"), 1);
      assert.match(result.output, /\b42\b/, `the number challenge on the terminal:\n${result.output}`);
      assert.match(result.output, /"Arn": "arn:aws:sts::123456789012:assumed-role\/Engineer\//);
      assert.equal(world.sim.count("sts:GetCallerIdentity"), 1, "aws called the simulator's STS");
    } finally {
      await world.close();
    }
  },
});

Deno.test({
  name: "pty → aws → credential_process: a factor chosen and a TOTP code typed on the terminal are used",
  ignore: !AWS || !PYTHON,
  async fn() {
    const { world, env } = await setUp();
    try {
      addTotp(world);
      const result = await runOnPty(
        CALLER_IDENTITY,
        [["Enter a number (1-2):", "2\r"], ["code", `${TOTP}\r`]],
        { env, cwd: world.home },
      );
      assert.equal(result.missing, null, `prompt not shown:\n${result.output}`);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /GOOGLE \(token:software:totp\)/);
      assert.equal(world.sim.count("push:sent"), 0);
      assert.match(result.output, /"Arn": "arn:aws:sts::123456789012:assumed-role\/Engineer\//);
    } finally {
      await world.close();
    }
  },
});

Deno.test({
  name: 'pty → aws-okta exec and eval "$(aws-okta env)": the TOTP code typed on the terminal is used',
  ignore: !AWS || !PYTHON,
  async fn() {
    const { world, env } = await setUp();
    try {
      addTotp(world);
      const prompts: [string, string][] = [["Enter a number (1-2):", "2\r"], ["code", `${TOTP}\r`]];
      const exec = await runOnPty(
        ["aws-okta", "exec", "dev", "--", "aws", "sts", "get-caller-identity", "--output", "json"],
        prompts,
        { env, cwd: world.home },
      );
      assert.equal(exec.missing, null, `prompt not shown:\n${exec.output}`);
      assert.equal(exec.code, 0, exec.output);
      assert.match(exec.output, /"Arn": "arn:aws:sts::123456789012:assumed-role\/Engineer\//);

      world.sim.reset();
      forgetDevices(world.sim);
      const script = 'eval "$(aws-okta env --refresh dev)" && aws sts get-caller-identity --output json';
      const shell = await runOnPty(["/bin/sh", "-c", script], prompts, { env, cwd: world.home });
      assert.equal(shell.missing, null, `prompt not shown:\n${shell.output}`);
      assert.equal(shell.code, 0, shell.output);
      assert.match(shell.output, /"Arn": "arn:aws:sts::123456789012:assumed-role\/Engineer\//);
      assert.ok(!shell.output.includes("export AWS_"), "the env lines went to eval, not the terminal");
    } finally {
      await world.close();
    }
  },
});
