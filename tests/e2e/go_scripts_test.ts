/**
 * What scripts and wrappers parse, checked against the real Go aws-okta v1.0.11: the same bash
 * scripts run once with Go's binary and once with ours as `aws-okta`, on the same simulator, config
 * and file keyring, and must give the same results (`eval "$(aws-okta env p)"`, `list | awk`,
 * `exec -r`, `cred-process -p`, a stale MFA setting).
 */

import assert from "node:assert/strict";
import { createGoWorld, type GoWorld } from "./go_aws_okta.ts";
import { requirePeer } from "../peers.ts";
import { assertIncludes, createWorld, expectCode, samlUrlOf } from "./harness.ts";
import { installLauncher } from "./launcher.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const READ_ONLY = "arn:aws:iam::123456789012:role/ReadOnly";
const NOT_GRANTED = "arn:aws:iam::123456789012:role/Nope";

/** A Go world with a config both tools read alike, and Okta credentials added by us. */
async function setUp(): Promise<GoWorld | undefined> {
  const go = await createGoWorld();
  if (!go) return undefined;
  const { world } = go;
  await world.writeConfig(`[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
role_arn = ${ENGINEER}
region = us-west-2

[profile prød]
role_arn = ${READ_ONLY}

[legacy]
role_arn = ${READ_ONLY}

[hop]
source_profile = dev
role_arn = ${READ_ONLY}

[profile plain]
region = eu-west-1
`);
  const user = world.sim.state.users[0]!;
  expectCode(
    await world.run(["add", "--domain", go.oktaDomain, "--username", user.login], {
      stdin: `${user.password}\n`,
    }),
    0,
  );
  return go;
}

/** Runs one script with both binaries; returns [go, ours] after checking that both exited 0. */
async function both(go: GoWorld, script: string): Promise<[string, string]> {
  const results = [await go.script("go", script), await go.script("ours", script)];
  for (const [index, result] of results.entries()) {
    expectCode(result, 0);
    assert.ok(result.stdout.length > 0, `${index === 0 ? "Go" : "ours"}: no output`);
  }
  return [results[0]!.stdout, results[1]!.stdout];
}

function goTest(name: string, fn: (go: GoWorld) => Promise<void>): void {
  Deno.test(name, async () => {
    const go = await setUp();
    if (!go) return; // Go or the peer archive is missing (a warning said so)
    try {
      await fn(go);
    } finally {
      await go.close();
    }
  });
}

goTest('env: `eval "$(aws-okta env p)"` in bash sets the same variables from Go and from us', async (go) => {
  // SHELL names fish: scripts run by bash must still get POSIX lines.
  const script = `export SHELL=/usr/bin/fish
eval "$(aws-okta env dev)"
for name in AWS_OKTA_PROFILE AWS_OKTA_ASSUMED_ROLE_ARN AWS_OKTA_ASSUMED_ROLE AWS_REGION AWS_DEFAULT_REGION; do
  printf '%s=%s\\n' "$name" "\${!name}"
done
# Keys are there, and print bare: the value cut at "=" is the key.
[ "$(aws-okta env dev | grep '^export AWS_ACCESS_KEY_ID=' | cut -d= -f2)" = "$AWS_ACCESS_KEY_ID" ] && echo key-cut-ok
[ "$(aws-okta env dev | grep '^export AWS_SECRET_ACCESS_KEY=' | cut -d= -f2-)" = "$AWS_SECRET_ACCESS_KEY" ] && echo secret-cut-ok
case "$AWS_ACCESS_KEY_ID" in ASIA*) echo key-ok ;; esac
[ -n "$AWS_SESSION_TOKEN" ] && [ "$AWS_SESSION_TOKEN" = "$AWS_SECURITY_TOKEN" ] && echo token-ok
[ "$AWS_OKTA_SESSION_EXPIRATION" -gt "$(date +%s)" ] && echo expiration-ok
`;
  const [goOut, oursOut] = await both(go, script);
  // Go really went to the simulator's STS (through the test proxy), not to AWS.
  assert.ok(go.proxied.includes("sts.us-west-2.amazonaws.com:443"), `proxied: ${go.proxied}`);
  assert.equal(oursOut, goOut);
  assert.equal(
    goOut,
    "AWS_OKTA_PROFILE=dev\n" +
      "AWS_OKTA_ASSUMED_ROLE_ARN=arn:aws:sts::123456789012:assumed-role/Engineer/alice@example.com\n" +
      "AWS_OKTA_ASSUMED_ROLE=Engineer\nAWS_REGION=us-west-2\nAWS_DEFAULT_REGION=us-west-2\n" +
      "key-cut-ok\nsecret-cut-ok\nkey-ok\ntoken-ok\nexpiration-ok\n",
  );
  // Line for line the same shape: `export NAME=value`, values bare.
  const shape = (text: string) => text.replace(/=.*/g, "=…").split("\n").filter((l) => l).sort();
  const goLines = (await go.script("go", "aws-okta env dev")).stdout;
  const ourLines = (await go.script("ours", "aws-okta env dev")).stdout;
  for (const line of [...goLines.split("\n"), ...ourLines.split("\n")].filter((l) => l)) {
    assert.match(line, /^export [A-Z_]+=[\w@%+=:,./-]+$/);
  }
  // We add AWS_CREDENTIAL_EXPIRATION (what the AWS SDKs read); every Go line is ours too.
  assert.deepEqual(shape(ourLines).filter((l) => l !== "export AWS_CREDENTIAL_EXPIRATION=…"), shape(goLines));
});

goTest("list: the same bytes from Go and from us, so `list | awk` scripts agree", async (go) => {
  const [goList, oursList] = await both(go, "aws-okta list");
  assert.equal(oursList, goList);
  assertIncludes(goList, "prød\t");
  assertIncludes(goList, `legacy\t\t${READ_ONLY}\t\t\n`);
  const awk = `aws-okta list | awk -F'\\t+' 'NR > 1 { print $1 " -> " $2 " from " ($3 == "" ? "-" : $3) }'`;
  const [goAwk, oursAwk] = await both(go, awk);
  assert.equal(oursAwk, goAwk);
  assert.equal(
    goAwk,
    `dev -> ${ENGINEER} from -\nhop -> ${READ_ONLY} from dev\nlegacy -> ${READ_ONLY} from -\n` +
      `prød -> ${READ_ONLY} from -\n`,
  );
});

goTest(
  "exec -r and AWS_ASSUME_ROLE_ARN take another granted role from the assertion, as Go; [x] and prød",
  async (go) => {
    const show = `sh -c 'echo "$AWS_OKTA_ASSUMED_ROLE_ARN"'`;
    const script = `aws-okta exec -r ${READ_ONLY} dev -- ${show}
aws-okta exec --assume-role-arn ${ENGINEER} dev -- ${show}
AWS_ASSUME_ROLE_ARN=${READ_ONLY} aws-okta exec dev -- ${show}
aws-okta exec dev -- ${show}
aws-okta exec prød -- ${show}
aws-okta exec legacy -- ${show}
aws-okta exec hop -- ${show}
`;
    const [goOut, oursOut] = await both(go, script);
    assert.equal(oursOut, goOut);
    const assumed = (role: string) => `arn:aws:sts::123456789012:assumed-role/${role}/alice@example.com\n`;
    assert.equal(
      goOut,
      assumed("ReadOnly") + assumed("Engineer") + assumed("ReadOnly") + assumed("Engineer") +
        // A non-ASCII profile name; Go's [legacy] section (no "profile " prefix).
        assumed("ReadOnly") + assumed("ReadOnly") +
        // Go's [hop] section: the SAML role of dev, then AssumeRole (signed, session name = username).
        assumed("ReadOnly"),
    );

    // A role the assertion does not grant fails in both; ours says which and what is granted.
    const script2 = `aws-okta exec -r ${NOT_GRANTED} dev -- true`;
    const goFail = await go.script("go", script2);
    const oursFail = await go.script("ours", script2);
    assert.notEqual(goFail.code, 0);
    assert.equal(oursFail.code, 1);
    assertIncludes(
      oursFail.stderr,
      `role "${NOT_GRANTED}" is not in Okta's SAML assertion; it grants: ${ENGINEER}, ${READ_ONLY}`,
    );
    assertIncludes(oursFail.stderr, "fix -r/--assume-role-arn (or AWS_ASSUME_ROLE_ARN)");
  },
);

goTest("cred-process -p: Go's layout (4-space indent, same keys in the same order)", async (go) => {
  const [goOut, oursOut] = await both(go, "aws-okta cred-process -p dev");
  const mask = (text: string) => text.replace(/: "[^"]*"/g, ': "…"');
  assert.equal(mask(oursOut), mask(goOut));
  assert.equal(
    mask(goOut),
    '{\n    "Version": 1,\n    "AccessKeyId": "…",\n    "SecretAccessKey": "…",\n' +
      '    "SessionToken": "…",\n    "Expiration": "…"\n}\n',
  );
});

goTest("a stale mfa_factor_type with one enrolled factor logs in with that factor, as Go", async (go) => {
  const { world } = go;
  await world.writeConfig(
    `${await Deno.readTextFile(world.configFile)}\n[profile stale]\nrole_arn = ${ENGINEER}\n` +
      "mfa_provider = GOOGLE\nmfa_factor_type = token:software:totp\n",
  );
  for (const which of ["go", "ours"] as const) {
    world.sim.reset(); // no Okta session: password and MFA again
    const before = world.sim.count("push:sent");
    const result = await go.script(which, "aws-okta exec stale -- sh -c 'echo \"$AWS_OKTA_ASSUMED_ROLE\"'");
    expectCode(result, 0);
    assert.equal(result.stdout, "Engineer\n", which);
    assert.equal(world.sim.count("push:sent"), before + 1, `${which} used the push factor`);
    if (which === "ours") {
      assertIncludes(
        result.stderr,
        'The MFA factor "GOOGLE (token:software:totp)" is not enrolled in Okta; using your only factor, "OKTA (push)"',
      );
    }
  }
});

// Migrating from Go: its profiles put role_arn beside no source_profile. With a credential_process
// line added, the real AWS CLI refuses such a profile; the okta_aws_role_arn form works, and list
// names the profiles to fix.
const AWS = requirePeer("aws", "pip install awscli");
Deno.test({
  name: "the AWS CLI refuses a Go-style role_arn profile with credential_process; okta_aws_role_arn works",
  ignore: !AWS,
  async fn() {
    const world = await createWorld();
    try {
      await world.writeConfig(`[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile go-style]
role_arn = ${ENGINEER}
credential_process = aws-okta cred-process go-style

[profile fixed]
okta_aws_role_arn = ${ENGINEER}
credential_process = aws-okta cred-process fixed
`);
      expectCode(await world.add(), 0);
      const bin = await installLauncher(world);
      const aws = async (profile: string) => {
        const output = await new Deno.Command(AWS!, {
          args: ["sts", "get-caller-identity", "--profile", profile, "--output", "text", "--query", "Arn"],
          env: {
            ...world.env,
            PATH: `${bin}:${world.env.PATH}`,
            AWS_DEFAULT_REGION: "us-east-1",
            AWS_PAGER: "",
          },
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const decoder = new TextDecoder();
        return {
          code: output.code,
          stdout: decoder.decode(output.stdout),
          stderr: decoder.decode(output.stderr),
        };
      };
      const refused = await aws("go-style");
      assert.notEqual(refused.code, 0);
      assertIncludes(refused.stderr, "Partial credentials found in assume-role, missing: source_profile");
      const fixed = await aws("fixed");
      expectCode(fixed, 0);
      assert.equal(fixed.stdout, "arn:aws:sts::123456789012:assumed-role/Engineer/alice@example.com\n");

      const list = await world.run(["list"]);
      expectCode(list, 0);
      assertIncludes(
        list.stderr,
        'Profile "go-style" has role_arn without source_profile beside credential_process',
      );
      assertIncludes(list.stderr, "rename role_arn to okta_aws_role_arn");
      assert.ok(!list.stderr.includes('"fixed"'), list.stderr);
    } finally {
      await world.close();
    }
  },
});
