/**
 * Real peers: moto_server as STS (the credentials come from an independent STS implementation),
 * and the AWS CLI calling aws-okta as its credential_process.
 */

import assert from "node:assert/strict";
import { requirePeer, startMoto } from "../peers.ts";
import { CONFIG, createWorld, expectCode, MAIN, samlUrlOf, type World } from "./harness.ts";

const MOTO = requirePeer("moto_server", "pip install 'moto[server]'");
const AWS = requirePeer("aws", "pip install awscli");
const ACCOUNT = "123456789012"; // moto's GetCallerIdentity names assumed roles only in its default account
const ENGINEER = `arn:aws:iam::${ACCOUNT}:role/Engineer`;
const DEPLOY = `arn:aws:iam::${ACCOUNT}:role/Deploy`;

/** A world whose Okta app grants one role (moto 500s on multi-valued Role attributes). */
async function singleRoleWorld(): Promise<World> {
  const world = await createWorld();
  world.sim.state.users[0]!.apps[0]!.roles = [{
    roleArn: ENGINEER,
    principalArn: `arn:aws:iam::${ACCOUNT}:saml-provider/Okta`,
  }];
  await world.writeConfig(`[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
okta_aws_role_arn = ${ENGINEER}
credential_process = aws-okta cred-process dev

[profile deploy]
source_profile = dev
role_arn = ${DEPLOY}
role_session_name = deployer
credential_process = aws-okta cred-process deploy
`);
  expectCode(await world.add(), 0);
  // An `aws-okta` on PATH for the AWS CLI to run, with the launcher's permission set.
  const bin = `${world.home}/bin`;
  await Deno.mkdir(bin);
  await Deno.writeTextFile(
    `${bin}/aws-okta`,
    `#!/bin/sh\nexec '${Deno.execPath()}' run -q -P=aws-okta --config '${CONFIG}' '${MAIN}' "$@"\n`,
    { mode: 0o755 },
  );
  world.env["PATH"] = `${bin}:${world.env["PATH"]}`;
  return world;
}

async function aws(
  world: World,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(AWS!, {
    args,
    env: { ...world.env, AWS_PAGER: "", AWS_DEFAULT_REGION: "us-east-1", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

Deno.test({
  name:
    "moto_server as STS: the SAML role and a chained role, read back with GetCallerIdentity by the AWS CLI",
  ignore: !MOTO || !AWS,
  async fn() {
    const moto = await startMoto(MOTO!);
    const world = await singleRoleWorld();
    try {
      const env = { AWS_ENDPOINT_URL_STS: moto.url };
      const dev = await world.run(["cred-process", "dev"], { env });
      expectCode(dev, 0);
      assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 0, "STS calls went to moto, not the simulator");
      assert.equal(JSON.parse(dev.stdout).Version, 1);

      const deploy = await world.run(["cred-process", "deploy"], { env });
      expectCode(deploy, 0);

      for (
        const [profile, arn] of [["dev", "assumed-role/Engineer/alice@example.com"], [
          "deploy",
          "assumed-role/Deploy/deployer",
        ]]
      ) {
        const who = await aws(world, [
          "sts",
          "get-caller-identity",
          "--profile",
          profile!,
          "--output",
          "json",
        ], env);
        assert.equal(who.code, 0, who.stderr);
        assert.equal(JSON.parse(who.stdout).Arn, `arn:aws:sts::${ACCOUNT}:${arn}`);
      }
    } finally {
      await world.close();
      await moto.close();
    }
  },
});

Deno.test({
  name:
    "the AWS CLI uses aws-okta as credential_process: the simulator's STS verifies the CLI's SigV4 signature",
  ignore: !AWS,
  async fn() {
    const world = await singleRoleWorld();
    try {
      const who = await aws(
        world,
        ["sts", "get-caller-identity", "--profile", "deploy", "--output", "json"],
        {},
      );
      assert.equal(who.code, 0, who.stderr);
      const identity = JSON.parse(who.stdout);
      assert.equal(identity.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/Deploy/deployer`);
      assert.equal(world.sim.count("sts:GetCallerIdentity"), 1);
      // A second AWS CLI call is answered from aws-okta's cache: no new STS session.
      const assumed = world.sim.count("sts:AssumeRole");
      const again = await aws(world, ["sts", "get-caller-identity", "--profile", "deploy"], {});
      assert.equal(again.code, 0, again.stderr);
      assert.equal(world.sim.count("sts:AssumeRole"), assumed);
    } finally {
      await world.close();
    }
  },
});

Deno.test({
  name: "the AWS CLI shows aws-okta's one-line error when cred-process fails",
  ignore: !AWS,
  async fn() {
    const world = await singleRoleWorld();
    try {
      const result = await aws(world, ["sts", "get-caller-identity", "--profile", "dev"], {
        AWS_OKTA_FILE_PASSPHRASE: "not the passphrase",
      });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /wrong passphrase/);
    } finally {
      await world.close();
    }
  },
});
