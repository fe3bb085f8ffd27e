/**
 * `aws-okta web` end to end: okta-aws-cli's flags, variables and okta.yaml against the simulated
 * Identity Engine org and STS, in every output format.
 */

import assert from "node:assert/strict";
import { DEMO_CLIENT_ID, idx } from "../sim/idx_state.ts";
import { assertIncludes, createWorld, expectCode, resetCounts, type World } from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const READ_ONLY = "arn:aws:iam::123456789012:role/ReadOnly";
const OKTA_IDP = "arn:aws:iam::123456789012:saml-provider/Okta";

function base(world: World): string[] {
  return ["web", "--org-domain", world.sim.url, "--oidc-client-id", DEMO_CLIENT_ID];
}

Deno.test("web --format env-var prints export lines; tokens stay in the keyring for the next run", async () => {
  const world = await createWorld();
  try {
    const run = await world.run([...base(world), "--aws-iam-role", ENGINEER]);
    expectCode(run, 0);
    const lines = run.stdout.trim().split("\n");
    assert.deepEqual(lines.map((line) => line.split("=")[0]), [
      "export AWS_ACCESS_KEY_ID",
      "export AWS_SECRET_ACCESS_KEY",
      "export AWS_SESSION_TOKEN",
    ]);
    assertIncludes(run.stderr, "/activate?user_code=");
    // The export lines round-trip through a real shell.
    const shell = await new Deno.Command("sh", {
      args: ["-c", `${run.stdout}\nprintf '%s' "$AWS_ACCESS_KEY_ID"`],
      stdout: "piped",
    }).output();
    assert.match(new TextDecoder().decode(shell.stdout), /^ASIA[A-Z2-7]{16}$/);

    resetCounts(world.sim);
    const again = await world.run([...base(world), "--aws-iam-role", ENGINEER]);
    expectCode(again, 0);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 0, "no browser the second time");
    assert.ok(!again.stderr.includes("/activate"), again.stderr);
  } finally {
    await world.close();
  }
});

Deno.test("web --format process-credentials prints credential_process JSON only, in okta-aws-cli's key order", async () => {
  const world = await createWorld();
  try {
    const run = await world.run([...base(world), "-r", READ_ONLY, "-f", "process-credentials"]);
    expectCode(run, 0);
    const json = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(json), [
      "AccessKeyId",
      "SecretAccessKey",
      "SessionToken",
      "Version",
      "Expiration",
    ]);
    // Under the name aws-okta the document ends with a newline (okta-aws-cli's has none).
    assert.ok(run.stdout.endsWith("}\n"));
    const issued = world.sim.state.credentials.get(json.AccessKeyId)!;
    assert.equal(issued.roleArn, READ_ONLY);
  } finally {
    await world.close();
  }
});

Deno.test("web --format aws-credentials updates the one section in place, keeping every other byte", async () => {
  const world = await createWorld();
  try {
    const path = `${world.home}/.aws/credentials`;
    const before =
      "# my keys\n[other]\naws_access_key_id = AKIAOTHER\n\n; note\n[dev]\naws_access_key_id = OLD\n";
    await Deno.writeTextFile(path, before);
    for (let i = 0; i < 2; i++) {
      const run = await world.run([
        ...base(world),
        "-r",
        ENGINEER,
        "-p",
        "dev",
        "--write-aws-credentials",
        "--expiry-aws-variables",
        "--legacy-aws-variables",
      ]);
      expectCode(run, 0);
      assert.equal(run.stdout, "");
      assertIncludes(run.stderr, `Updated profile "dev" in credentials file "${path}"`);
    }
    const after = await Deno.readTextFile(path);
    assert.ok(
      after.startsWith("# my keys\n[other]\naws_access_key_id = AKIAOTHER\n\n; note\n[dev]\n"),
      after,
    );
    assert.equal(after.match(/^\[dev\]/gm)?.length, 1, "never a duplicate section");
    for (
      const key of [
        "aws_secret_access_key",
        "aws_session_token",
        "aws_security_token",
        "x_security_token_expires",
      ]
    ) {
      assert.match(after, new RegExp(`^${key} = `, "m"));
    }
    assert.ok(!after.includes("OLD"));
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  } finally {
    await world.close();
  }
});

Deno.test("web --format noop prints nothing; --exec runs the command with the child's exit code", async () => {
  const world = await createWorld();
  try {
    const noop = await world.run([...base(world), "-r", ENGINEER, "--format", "noop"]);
    expectCode(noop, 0);
    assert.equal(noop.stdout, "");

    const exec = await world.run([
      ...base(world),
      "-r",
      ENGINEER,
      "--aws-region",
      "eu-west-1",
      "--exec",
      "--",
      "sh",
      "-c",
      'printf "%s %s %s" "$AWS_REGION" "${AWS_ACCESS_KEY_ID%%????????????????}" "$HOME"; exit 42',
    ]);
    assert.equal(exec.code, 42, exec.stderr);
    assert.equal(exec.stdout, `eu-west-1 ASIA ${world.home}`);

    const missing = await world.run([...base(world), "--exec"]);
    expectCode(missing, 2);
    assertIncludes(missing.stderr, '--exec needs a command after "--"');
  } finally {
    await world.close();
  }
});

Deno.test("web --all-profiles writes one profile per role of every AWS app", async () => {
  const world = await createWorld();
  try {
    const user = world.sim.state.users[0]!;
    user.apps.push({
      id: "0oa2secondAPP0000",
      n: "272",
      label: "AWS Audit",
      roles: [{
        roleArn: "arn:aws:iam::210987654321:role/Audit",
        principalArn: "arn:aws:iam::210987654321:saml-provider/Okta",
      }],
    });
    await Deno.mkdir(`${world.home}/.okta`, { recursive: true });
    await Deno.writeTextFile(
      `${world.home}/.okta/okta.yaml`,
      `awscli:\n  roles:\n    "arn:aws:iam::.*:role/ReadOnly": "readers"\n`,
    );
    const run = await world.run([...base(world), "--all-profiles"]);
    expectCode(run, 0);
    const file = await Deno.readTextFile(`${world.home}/.aws/credentials`);
    const sections = [...file.matchAll(/^\[(.+)\]$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(sections, ["123456789012-Okta-Engineer", "210987654321-Okta-Audit", "readers"]);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 3);
  } finally {
    await world.close();
  }
});

Deno.test("web reads OKTA_AWSCLI_* variables and okta.yaml profiles and labels; flags win over both", async () => {
  const world = await createWorld();
  try {
    await Deno.mkdir(`${world.home}/.okta`, { recursive: true });
    await Deno.writeTextFile(
      `${world.home}/.okta/okta.yaml`,
      `awscli:
  idps:
    "${OKTA_IDP}": "Production"
  roles:
    "${READ_ONLY}": "reader"
  profiles:
    ro:
      aws-iam-role: reader
      format: process-credentials
      aws-iam-idp: Production
`,
    );
    const env = {
      OKTA_AWSCLI_ORG_DOMAIN: world.sim.url,
      OKTA_AWSCLI_OIDC_CLIENT_ID: DEMO_CLIENT_ID,
      OKTA_AWSCLI_PROFILE: "ro",
    };
    const run = await world.run(["web"], { env });
    expectCode(run, 0);
    const json = JSON.parse(run.stdout);
    assert.equal(world.sim.state.credentials.get(json.AccessKeyId)!.roleArn, READ_ONLY);

    const flagWins = await world.run(["web", "-r", ENGINEER, "-f", "env-var"], { env });
    expectCode(flagWins, 0);
    assertIncludes(flagWins.stdout, "export AWS_ACCESS_KEY_ID=");

    const badIdp = await world.run(["web", "--aws-iam-idp", "Staging"], { env });
    expectCode(badIdp, 1);
    assertIncludes(badIdp.stderr, `IdP "Staging" is not in Okta's SAML assertion; it names: ${OKTA_IDP}`);
  } finally {
    await world.close();
  }
});

Deno.test("web prompts for the role by label when none is given, and refuses Classic orgs", async () => {
  const world = await createWorld();
  try {
    const run = await world.run([...base(world), "-f", "process-credentials"], { stdin: "2\n" });
    expectCode(run, 0);
    assertIncludes(run.stderr, "Select the AWS role to assume");
    const json = JSON.parse(run.stdout);
    assert.equal(world.sim.state.credentials.get(json.AccessKeyId)!.roleArn, READ_ONLY);

    idx(world.sim.state).pipeline = "v1";
    const classic = await world.run([...base(world), "-r", ENGINEER]);
    expectCode(classic, 1);
    assertIncludes(classic.stderr, 'is a Classic Engine org: "web" needs Identity Engine');

    const missing = await world.run(["web", "--org-domain", world.sim.url]);
    expectCode(missing, 2);
    assertIncludes(missing.stderr, "missing --oidc-client-id");
  } finally {
    await world.close();
  }
});
