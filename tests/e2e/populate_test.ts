/**
 * `aws-okta populate` end to end: the real CLI against the simulator's Okta (Classic session
 * cookie on appLinks, several AWS apps, roles in several accounts; and the Identity Engine device
 * flow), the AWS config edited byte for byte, and the real AWS CLI using a generated profile
 * through the launcher.
 */

import assert from "node:assert/strict";
import { requirePeer } from "../peers.ts";
import { DEMO_CLIENT_ID, idx } from "../sim/idx_state.ts";
import type { SimApp } from "../sim/state.ts";
import { assertIncludes, createWorld, expectCode, resetCounts, type World } from "./harness.ts";
import { envWithLauncher, installLauncher } from "./launcher.ts";

const AWS = requirePeer("aws", "pip install awscli");

const PROD = "111111111111";
const SANDBOX = "222222222222";
const SHARED = "333333333333";
const role = (account: string, name: string) => ({
  roleArn: `arn:aws:iam::${account}:role/${name}`,
  principalArn: `arn:aws:iam::${account}:saml-provider/Okta`,
});

/** Two AWS apps: "AWS Production" (one account) and "AWS Sandboxes" (roles in two accounts). */
function apps(): SimApp[] {
  return [
    {
      id: "0oaPRODapp0000001",
      n: "272",
      label: "AWS Production",
      roles: [role(PROD, "Engineer"), role(PROD, "ReadOnly")],
    },
    {
      id: "0oaSANDapp0000002",
      n: "272",
      label: "AWS Sandboxes",
      roles: [role(SANDBOX, "Admin"), role(SHARED, "path/Deployer")],
    },
  ];
}

async function classicWorld(): Promise<World> {
  const world = await createWorld();
  world.sim.state.users[0]!.apps = apps();
  expectCode(await world.add(), 0);
  return world;
}

const EXPECTED_NAMES = [
  "aws-production-Engineer",
  "aws-production-ReadOnly",
  `${SANDBOX}-Admin`,
  `${SHARED}-Deployer`,
];

function summary(stderr: string): string[] {
  return stderr.split("\n").filter((line) => / profile "/.test(line)).map((line) =>
    line.replace(/ \(.*\)$/, "")
  );
}

Deno.test("populate on an empty config: one profile per role of every app, signed in once", async () => {
  const world = await classicWorld();
  try {
    resetCounts(world.sim);
    const result = await world.run(["populate"]);
    expectCode(result, 0);
    assert.equal(result.stdout, "");
    assert.deepEqual(summary(result.stderr), EXPECTED_NAMES.map((name) => `added profile "${name}"`));
    // `add` left an Okta session: populate reuses it, with no password and no MFA.
    assert.equal(world.sim.count("POST /api/v1/authn"), 0);
    assert.equal(world.sim.count("GET /api/v1/users/me/appLinks"), 1);
    assert.equal(world.sim.count("saml:issued"), 2, "one assertion per app");
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 0, "no AWS call");

    const text = await Deno.readTextFile(world.configFile);
    assert.equal(
      text.split("\n\n")[0],
      [
        "[profile aws-production-Engineer]",
        "aws_okta_populate = default",
        "credential_process = aws-okta cred-process aws-production-Engineer",
        `okta_aws_role_arn = arn:aws:iam::${PROD}:role/Engineer`,
        "aws_saml_url = home/amazon_aws/0oaPRODapp0000001/272",
      ].join("\n"),
    );
    assertIncludes(text, `[profile ${SHARED}-Deployer]\n`);
    assertIncludes(text, `okta_aws_role_arn = arn:aws:iam::${SHARED}:role/path/Deployer\n`);
    assertIncludes(text, "aws_saml_url = home/amazon_aws/0oaSANDapp0000002/272\n");
    assert.ok(!/^role_arn\b/m.test(text), "never role_arn without source_profile");
    assert.equal((await Deno.stat(world.configFile)).mode! & 0o777, 0o600);

    // The generated profiles are aws-okta's: `list` serves them, and cred-process gets the pinned
    // role with the stored session.
    const listed = await world.run(["list", "--json"]);
    expectCode(listed, 0);
    assert.deepEqual(
      JSON.parse(listed.stdout).map((
        p: { name: string; roles: { roleArn: string }[] },
      ) => [p.name, p.roles[0]!.roleArn]),
      EXPECTED_NAMES.map((
        name,
        i,
      ) => [
        name,
        `arn:aws:iam::${[PROD, PROD, SANDBOX, SHARED][i]}:role/${
          ["Engineer", "ReadOnly", "Admin", "path/Deployer"][i]
        }`,
      ]),
    );
    const creds = await world.run(["cred-process", `${SANDBOX}-Admin`]);
    expectCode(creds, 0);
    const issued = world.sim.state.credentials.get(JSON.parse(creds.stdout).AccessKeyId);
    assert.equal(issued?.roleArn, `arn:aws:iam::${SANDBOX}:role/Admin`);
  } finally {
    await world.close();
  }
});

Deno.test("populate keeps the user's own bytes; a second run changes nothing; a revoked role goes alone", async () => {
  const world = await classicWorld();
  try {
    const mine = "# my AWS config\r\n[default]\r\nregion = eu-west-1   ; mine\r\n\r\n" +
      "[profile legacy]\r\nrole_arn = arn:aws:iam::999999999999:role/Old\r\nsource_profile = default\r\n";
    await world.writeConfig(mine);
    const first = await world.run(["populate", "--prefix", "okta-", "--region", "us-west-2"]);
    expectCode(first, 0);
    const populated = await Deno.readTextFile(world.configFile);
    assert.ok(populated.startsWith(`${mine}\r\n[profile okta-aws-production-Engineer]\r\n`), populated);
    assert.ok(!/(^|[^\r])\n/.test(populated), "the file's CRLF line endings are kept");
    assertIncludes(populated, "region = us-west-2\r\n");

    // The user adds a key to a generated profile and a comment after it.
    const edited = populated.replace(
      "[profile okta-aws-production-ReadOnly]\r\n",
      "[profile okta-aws-production-ReadOnly]\r\noutput = table\r\n",
    ) + "# end of file\r\n";
    await Deno.writeTextFile(world.configFile, edited);
    const again = await world.run(["populate", "--prefix", "okta-", "--region", "us-west-2"]);
    expectCode(again, 0);
    assert.deepEqual(summary(again.stderr), EXPECTED_NAMES.map((name) => `unchanged profile "okta-${name}"`));
    assertIncludes(again.stderr, "is up to date");
    assert.equal(await Deno.readTextFile(world.configFile), edited);

    // Okta no longer grants ReadOnly: only that profile goes; every other byte stays.
    world.sim.state.users[0]!.apps[0]!.roles.splice(1, 1);
    const revoked = await world.run(["populate", "--prefix", "okta-", "--region", "us-west-2"]);
    expectCode(revoked, 0);
    assertIncludes(revoked.stderr, 'removed profile "okta-aws-production-ReadOnly"');
    assert.equal(summary(revoked.stderr).filter((line) => line.startsWith("unchanged")).length, 3);
    const after = await Deno.readTextFile(world.configFile);
    const section = /\[profile okta-aws-production-ReadOnly\]\r\n(?:[^[]*?\r\n)(?=\[)/.exec(edited)![0];
    assert.equal(after, edited.replace(section, ""));
  } finally {
    await world.close();
  }
});

Deno.test("populate --dry-run prints the resulting config and changes nothing", async () => {
  const world = await classicWorld();
  try {
    const mine = "[profile mine]\nregion = eu-west-1\n";
    await world.writeConfig(mine);
    const before = await Deno.stat(world.configFile);
    const dry = await world.run(["populate", "--dry-run", "--name-template", "{app}.{role}"]);
    expectCode(dry, 0);
    assert.ok(dry.stdout.startsWith(`${mine}\n[profile aws-production.Engineer]\n`), dry.stdout);
    assertIncludes(dry.stdout, "[profile aws-sandboxes.Deployer]\n");
    assert.equal(await Deno.readTextFile(world.configFile), mine);
    assert.equal((await Deno.stat(world.configFile)).mtime?.getTime(), before.mtime?.getTime());

    // What the dry run printed is what the real run writes.
    const real = await world.run(["populate", "--name-template", "{app}.{role}"]);
    expectCode(real, 0);
    assert.equal(await Deno.readTextFile(world.configFile), dry.stdout);
  } finally {
    await world.close();
  }
});

Deno.test("populate refuses to overwrite a hand-written profile of the same name; nothing is written", async () => {
  const world = await classicWorld();
  try {
    const mine =
      `[profile aws-production-Engineer]\nrole_arn = arn:aws:iam::${PROD}:role/Engineer\nsource_profile = x\n`;
    await world.writeConfig(mine);
    const result = await world.run(["populate"]);
    expectCode(result, 1);
    assert.match(
      result.stderr,
      /^aws-okta: profile "aws-production-Engineer" already exists in ".*config" and was not written by aws-okta populate; rename or remove them, or pick other names with --prefix or --name-template\n$/,
    );
    assert.equal(await Deno.readTextFile(world.configFile), mine);
    // The way out the message names works.
    expectCode(await world.run(["populate", "--prefix", "okta-"]), 0);
    assert.ok((await Deno.readTextFile(world.configFile)).startsWith(mine));
  } finally {
    await world.close();
  }
});

Deno.test("populate signs in again when the stored Okta session is over; bad flags are usage errors", async () => {
  const world = await classicWorld();
  try {
    world.sim.state.sessions.clear();
    world.sim.state.devices.clear();
    resetCounts(world.sim);
    const result = await world.run(["populate"]);
    expectCode(result, 0);
    assert.equal(world.sim.count("POST /api/v1/authn"), 1, "one password login");
    assert.equal(world.sim.count("push:sent"), 1, "one MFA");
    assert.equal(
      world.sim.count("GET /api/v1/users/me/appLinks"),
      2,
      "refused with the old session, then listed",
    );

    const bad = await world.run(["populate", "--name-template", "{acount}-{role}"]);
    expectCode(bad, 2);
    assertIncludes(bad.stderr, 'unknown placeholder "{acount}" in --name-template');
  } finally {
    await world.close();
  }
});

Deno.test("populate with the Identity Engine device flow pins profiles with okta_aws_fed_app_id", async () => {
  const world = await createWorld();
  try {
    world.sim.state.users[0]!.apps = apps();
    const okta = `[okta]\nokta_org_domain = ${world.sim.url}\nokta_oidc_client_id = ${DEMO_CLIENT_ID}\n`;
    await world.writeConfig(okta);
    const result = await world.run(["populate"]);
    expectCode(result, 0);
    assertIncludes(result.stderr, "confirm the code");
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 1);
    assert.equal(world.sim.count("oauth:token-exchange"), 2, "one web SSO token per app");
    const text = await Deno.readTextFile(world.configFile);
    assert.ok(text.startsWith(okta));
    assertIncludes(
      text,
      `[profile ${SANDBOX}-Admin]\naws_okta_populate = default\ncredential_process = aws-okta cred-process ${SANDBOX}-Admin\n` +
        `okta_aws_role_arn = arn:aws:iam::${SANDBOX}:role/Admin\nokta_aws_fed_app_id = 0oaSANDapp0000002\n`,
    );
    assert.ok(!text.includes("aws_saml_url"));
    // The generated profile works with the tokens populate stored: no second browser sign-in.
    resetCounts(world.sim);
    const creds = await world.run(["cred-process", `${SANDBOX}-Admin`]);
    expectCode(creds, 0);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 0);
  } finally {
    await world.close();
  }
});

Deno.test("populate falls back to aws_saml_url when Okta will not list the apps of a Classic session", async () => {
  const world = await classicWorld();
  try {
    await world.writeConfig("[okta]\naws_saml_url = home/amazon_aws/0oaPRODapp0000001/272\n");
    world.sim.state.faults.push({
      match: "GET /api/v1/users/me/appLinks",
      status: 403,
      contentType: "application/json",
      body: JSON.stringify({ errorCode: "E0000006", errorSummary: "You do not have permission" }),
    });
    const result = await world.run(["populate"]);
    expectCode(result, 0);
    assertIncludes(result.stderr, "Note: Okta did not list your apps (");
    assertIncludes(
      await Deno.readTextFile(world.configFile),
      "aws_saml_url = home/amazon_aws/0oaPRODapp0000001/272\n",
    );
    assert.deepEqual(summary(result.stderr), [
      `added profile "${PROD}-Engineer"`,
      `added profile "${PROD}-ReadOnly"`,
    ]);
  } finally {
    await world.close();
  }
});

Deno.test("populate skips an app whose assertion it cannot get, and keeps that app's profiles", async () => {
  const world = await createWorld();
  try {
    world.sim.state.users[0]!.apps = apps();
    await world.writeConfig(
      `[okta]\nokta_org_domain = ${world.sim.url}\nokta_oidc_client_id = ${DEMO_CLIENT_ID}\n`,
    );
    expectCode(await world.run(["populate"]), 0);
    const before = await Deno.readTextFile(world.configFile);
    // The sandbox app stops accepting this client's web SSO tokens, and Okta revokes ReadOnly.
    idx(world.sim.state).policyErrors.set("0oaSANDapp0000002", "web-sso-not-allowed");
    world.sim.state.users[0]!.apps[0]!.roles.splice(1, 1);
    const result = await world.run(["populate"]);
    expectCode(result, 0);
    assertIncludes(result.stderr, 'Skipped Okta app "AWS Sandboxes" (0oaSANDapp0000002): ');
    assert.deepEqual(summary(result.stderr), [
      'unchanged profile "aws-production-Engineer"',
      'removed profile "aws-production-ReadOnly"',
    ]);
    const after = await Deno.readTextFile(world.configFile);
    assertIncludes(after, `[profile ${SANDBOX}-Admin]`);
    assertIncludes(after, `[profile ${SHARED}-Deployer]`);
    assert.ok(!after.includes("aws-production-ReadOnly"));
    assert.ok(before.includes("aws-production-ReadOnly"));
  } finally {
    await world.close();
  }
});

Deno.test("populate --iam-alias names accounts by their IAM alias: one STS and one IAM call per account", async () => {
  const world = await classicWorld();
  try {
    world.sim.state.accountAliases = { [PROD]: "acme-prod", [SANDBOX]: "acme-sandbox" };
    // A role that may not call iam:ListAccountAliases: that account keeps its id, with a note.
    world.sim.state.roles[`arn:aws:iam::${SHARED}:role/path/Deployer`] = { denyIam: true };
    resetCounts(world.sim);
    const result = await world.run(["populate", "--iam-alias", "--debug"], {
      env: { AWS_ENDPOINT_URL_IAM: world.sim.stsUrl },
    });
    expectCode(result, 0);
    assert.deepEqual(summary(result.stderr), [
      'added profile "acme-prod-Engineer"',
      'added profile "acme-prod-ReadOnly"',
      'added profile "acme-sandbox-Admin"',
      `added profile "${SHARED}-Deployer"`,
    ]);
    assertIncludes(result.stderr, `Note: no alias for account ${SHARED} (IAM refused ListAccountAliases:`);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 3);
    assert.equal(world.sim.count("iam:ListAccountAliases"), 3);
    // --debug shows the calls, never the keys they were signed with, the session or the password.
    assertIncludes(result.stderr, 'iam: account 111111111111 is "acme-prod"');
    const secrets = [world.sim.state.users[0]!.password, ...world.sim.state.sessions.keys()];
    for (const creds of world.sim.state.credentials.values()) {
      secrets.push(creds.secretAccessKey, creds.sessionToken);
    }
    for (const secret of secrets) {
      assert.ok(!result.stderr.includes(secret), "a secret reached the debug log");
    }
  } finally {
    await world.close();
  }
});

Deno.test({
  name: "from nothing to `aws sts get-caller-identity --profile <generated>`: add, populate, the AWS CLI",
  ignore: !AWS,
  async fn() {
    const world = await classicWorld();
    try {
      expectCode(await world.run(["populate"]), 0);
      const bin = await installLauncher(world);
      const output = await new Deno.Command(AWS!, {
        args: ["sts", "get-caller-identity", "--profile", "aws-production-Engineer", "--output", "json"],
        env: { ...envWithLauncher(world, bin), AWS_PAGER: "", AWS_DEFAULT_REGION: "us-east-1" },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      const identity = JSON.parse(new TextDecoder().decode(output.stdout));
      assert.equal(identity.Account, PROD);
      assert.equal(identity.Arn, `arn:aws:sts::${PROD}:assumed-role/Engineer/alice@example.com`);
      assert.equal(world.sim.count("sts:GetCallerIdentity"), 1, "the AWS CLI asked the simulator's STS");
    } finally {
      await world.close();
    }
  },
});
