/**
 * `make demo`: the whole flow against the simulators on loopback, with a temporary HOME, so a
 * newcomer sees add → cred-process → exec without an Okta org.
 *
 * @module
 */

import { createWorld, samlUrlOf } from "./e2e/harness.ts";

const world = await createWorld();
const step = (title: string) => console.log(`\n\x1b[1m==> ${title}\x1b[0m`);
const show = (text: string) =>
  console.log(text.trimEnd().split("\n").map((line) => `    ${line}`).join("\n"));

try {
  const user = world.sim.state.users[0]!;
  const role = user.apps[0]!.roles[0]!;
  step("Okta and STS simulators");
  show(
    `Okta: ${world.sim.url}  (user ${user.login}, password "${user.password}", Okta Verify push approves itself)`,
  );
  show(`STS:  ${world.sim.stsUrl}  (AWS_ENDPOINT_URL_STS)`);
  show(`HOME: ${world.home}`);

  const config = `[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile demo]
okta_aws_role_arn = ${role.roleArn}
region = us-west-2
credential_process = aws-okta cred-process demo
`;
  await world.writeConfig(config);
  step(`~/.aws/config`);
  show(config);

  step(`aws-okta add --domain ${world.sim.url} --username ${user.login}   (password on stdin)`);
  let result = await world.add();
  show(result.stderr);

  step("aws-okta cred-process demo   (cold: Okta session reused from add, then STS)");
  result = await world.run(["cred-process", "demo"]);
  show(`stdout: ${result.stdout}`);
  if (result.stderr.trim()) show(`stderr: ${result.stderr}`);

  step("aws-okta cred-process demo   (cached: no network)");
  const before = Object.values(world.sim.counts()).reduce((a, b) => a + b, 0);
  result = await world.run(["cred-process", "demo"]);
  const after = Object.values(world.sim.counts()).reduce((a, b) => a + b, 0);
  show(`stdout: ${result.stdout}`);
  show(`requests to the simulators during this call: ${after - before}`);

  step("aws-okta exec demo -- sh -c 'echo $AWS_OKTA_ASSUMED_ROLE_ARN $AWS_REGION; exit 3'");
  result = await world.run([
    "exec",
    "demo",
    "--",
    "sh",
    "-c",
    "echo $AWS_OKTA_ASSUMED_ROLE_ARN $AWS_REGION; exit 3",
  ]);
  show(result.stdout);
  show(`exit code: ${result.code} (the child's)`);

  step("aws-okta env demo");
  result = await world.run(["env", "demo"]);
  show(result.stdout.replace(/(SECRET_ACCESS_KEY|SESSION_TOKEN|SECURITY_TOKEN)='[^']*'/g, "$1='…'"));

  step("Simulator request counts");
  show(JSON.stringify(world.sim.counts(), null, 2));
} finally {
  await world.close();
}
