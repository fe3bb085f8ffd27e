import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { loadAwsConfigSync, parseAwsConfig } from "./aws_config.ts";
import { type ResolvedProfile, resolveProfile } from "./profile.ts";
import { ConfigError } from "./config_error.ts";

const FILE = "/test/config";

function resolve(text: string, name: string): ResolvedProfile {
  return resolveProfile(parseAwsConfig(text, FILE), name);
}

/** The plain data of a resolution (without the lookup function), for deep comparison. */
function data(profile: ResolvedProfile): Record<string, unknown> {
  const { lookup: _lookup, ...rest } = profile;
  return JSON.parse(JSON.stringify(rest));
}

function assertConfigError(run: () => unknown, message: string, hint?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.message, message);
    if (hint !== undefined) assert.equal(error.hint, hint);
    assert.equal(error.exitCode, 1);
    return true;
  });
}

Deno.test("the seed README's example config resolves as aws-okta documents", () => {
  const path = fileURLToPath(new URL("../../tests/fixtures/ini/seed_readme.config", import.meta.url));
  const config = loadAwsConfigSync(path);
  const role = "arn:aws:iam::<account-id>:role/<okta-role-name>";
  const secondary = "arn:aws:iam::<account-id>:role/<secondary-role-name>";
  const defaults = {
    credentialsKey: "okta-creds",
    sessionCookieKey: "okta-session-cookie",
    hops: [],
    mfa: {},
  };
  const expected: Record<string, Record<string, unknown>> = {
    "okta-dev": {
      ...defaults,
      name: "okta-dev",
      chain: ["okta-dev"],
      samlUrl: "home/amazon_aws/cuZGoka9dAIFcyG0UllG/214",
      samlRoleArn: role,
    },
    "integrations-auth": {
      ...defaults,
      name: "integrations-auth",
      chain: ["integrations-auth"],
      samlUrl: "home/amazon_aws/woezQTbGWUaLSrYDvINU/214",
      samlRoleArn: role,
    },
    vendor: {
      ...defaults,
      name: "vendor",
      chain: ["vendor", "integrations-auth"],
      samlUrl: "home/amazon_aws/woezQTbGWUaLSrYDvINU/214",
      samlRoleArn: role,
      hops: [{ profile: "vendor", roleArn: secondary }],
    },
    testaccount: {
      ...defaults,
      name: "testaccount",
      chain: ["testaccount"],
      sessionCookieKey: "okta-session-cookie-test",
      samlUrl: "home/amazon_aws/cuZGoka9dAIFcyG0UllG/214",
      samlRoleArn: role,
    },
    "account-a": {
      // The README's typo (okta_aws_rolerole_arn) leaves the role to the assertion.
      ...defaults,
      name: "account-a",
      chain: ["account-a"],
      oktaAccount: "account-a",
      credentialsKey: "okta-creds-account-a",
      samlUrl: "home/amazon_aws/woezQTbGWUaLSrYDvINU/214",
    },
    "account-b": {
      ...defaults,
      name: "account-b",
      chain: ["account-b"],
      oktaAccount: "account-b",
      credentialsKey: "okta-creds-account-b",
      samlUrl: "home/amazon_aws/woezQTbGaDAA4rYDvINU/123",
      samlRoleArn: role,
    },
    ttldemo: {
      ...defaults,
      name: "ttldemo",
      chain: ["ttldemo"],
      samlUrl: "home/amazon_aws/cuZGoka9dAIFcyG0UllG/214",
      samlRoleArn: role,
      sessionTtl: 43200,
    },
    "ttldemo-role": {
      ...defaults,
      name: "ttldemo-role",
      chain: ["ttldemo-role", "ttldemo"],
      samlUrl: "home/amazon_aws/cuZGoka9dAIFcyG0UllG/214",
      samlRoleArn: role,
      hops: [{ profile: "ttldemo-role", roleArn: secondary }],
      sessionTtl: 43200,
      assumeRoleTtl: 43200,
    },
  };
  assert.deepStrictEqual(config.profileNames(), Object.keys(expected));
  for (const [name, want] of Object.entries(expected)) {
    assert.deepStrictEqual(data(resolveProfile(config, name)), want, name);
  }
});

Deno.test("an unknown profile names the file and hints at up to five profiles", () => {
  const many = ["a", "b", "c", "d", "e", "f", "g"].map((n) => `[profile ${n}]\nregion = r\n`).join("");
  assertConfigError(
    () => resolve(many, "x"),
    `profile "x" not found in "${FILE}"`,
    'available profiles: "a", "b", "c", "d", "e" and 2 more',
  );
  assertConfigError(
    () => resolve("[default]\nregion = r\n[profile b]\n", "x"),
    `profile "x" not found in "${FILE}"`,
    'available profiles: "default", "b"',
  );
  assertConfigError(
    () => resolve("[okta]\nx = 1\n", "okta"),
    `profile "okta" not found in "${FILE}"`,
    "the file has no profiles",
  );
  assertConfigError(
    () => resolveProfile(loadAwsConfigSync("/nonexistent/aws-okta/config"), "dev"),
    'profile "dev" not found in "/nonexistent/aws-okta/config"',
    '"/nonexistent/aws-okta/config" does not exist; create it or set AWS_CONFIG_FILE',
  );
});

Deno.test("source_profile chains of any depth, loops and missing sources", () => {
  const text =
    "[profile a]\nsource_profile = b\n[profile b]\nsource_profile = c\n[profile c]\nsource_profile = d\n" +
    "[profile d]\nokta_aws_role_arn = arn:root\n";
  assert.deepStrictEqual(resolve(text, "a").chain, ["a", "b", "c", "d"]);
  assert.deepStrictEqual(resolve(text, "c").chain, ["c", "d"]);
  assertConfigError(
    () => resolve("[profile a]\nsource_profile = b\n[profile b]\nsource_profile = a\n", "a"),
    'source_profile loop: "a" -> "b" -> "a"',
  );
  assertConfigError(
    () =>
      resolve(
        "[profile a]\nsource_profile = b\n[profile b]\nsource_profile = c\n[profile c]\nsource_profile = b\n",
        "a",
      ),
    'source_profile loop: "a" -> "b" -> "c" -> "b"',
  );
  assertConfigError(
    () => resolve("[profile a]\nsource_profile = b\n[profile b]\nsource_profile = zz\n", "a"),
    `profile "zz" (source_profile of "b") not found in "${FILE}"`,
    'available profiles: "a", "b"',
  );
  // A profile naming itself is a loop, as the AWS CLI says ("Infinite loop in credential
  // configuration"); it allows that only beside static keys, which are never aws-okta's.
  assertConfigError(
    () => resolve("[profile a]\nsource_profile = a\nrole_arn = arn:self\n", "a"),
    'source_profile loop: "a" -> "a"',
    'remove source_profile from profile "a" (a profile cannot be its own source)',
  );
  assertConfigError(
    () => resolve("[profile b]\nsource_profile = a\n[profile a]\nsource_profile = a\n", "b"),
    'source_profile loop: "b" -> "a" -> "a"',
    'remove source_profile from profile "a" (a profile cannot be its own source)',
  );
});

Deno.test("the SAML role is the root's okta_aws_role_arn, else its role_arn", () => {
  assert.equal(resolve("[profile r]\nrole_arn = arn:r\n", "r").samlRoleArn, "arn:r");
  assert.equal(resolve("[profile r]\nokta_aws_role_arn = arn:o\n", "r").samlRoleArn, "arn:o");
  assert.equal(
    resolve("[profile r]\nrole_arn = arn:r\nokta_aws_role_arn = arn:o\n", "r").samlRoleArn,
    "arn:o",
  );
  assert.equal(resolve("[profile r]\nregion = x\n", "r").samlRoleArn, undefined);
  // Only the root's: a child's role is a hop, [okta] has no say.
  const child = resolve(
    "[okta]\nokta_aws_role_arn = arn:okta\n[profile r]\n[profile c]\nsource_profile = r\nrole_arn = arn:c\n",
    "c",
  );
  assert.equal(child.samlRoleArn, undefined);
  assert.deepStrictEqual(child.hops.map((h) => h.roleArn), ["arn:c"]);
});

Deno.test("hops run from the root's child to the profile; role_arn wins over okta_aws_role_arn", () => {
  const text = [
    "[profile root]\nokta_aws_role_arn = arn:saml\nregion = us-east-1",
    "[profile one]\nsource_profile = root\nrole_arn = arn:one\nokta_aws_role_arn = arn:ignored\nregion = eu-west-1",
    "[profile pass]\nsource_profile = one\nmfa_provider = OKTA",
    "[profile two]\nsource_profile = pass\nokta_aws_role_arn = arn:two\nrole_session_name = alice\nexternal_id = ext-2",
    "[profile three]\nsource_profile = two\nrole_arn = arn:three\nduration_seconds = 3600\nregion = ap-south-1",
  ].join("\n");
  const resolved = resolve(text, "three");
  assert.deepStrictEqual(resolved.chain, ["three", "two", "pass", "one", "root"]);
  assert.equal(resolved.samlRoleArn, "arn:saml");
  assert.deepStrictEqual(JSON.parse(JSON.stringify(resolved.hops)), [
    { profile: "one", roleArn: "arn:one", region: "us-east-1" },
    // Signed by "pass", which has no region of its own: the nearest source's (one) applies.
    {
      profile: "two",
      roleArn: "arn:two",
      roleSessionName: "alice",
      externalId: "ext-2",
      region: "eu-west-1",
    },
    // role_session_name inherited from the source; external_id is not.
    {
      profile: "three",
      roleArn: "arn:three",
      roleSessionName: "alice",
      durationSeconds: 3600,
      region: "eu-west-1",
    },
  ]);
  assert.equal(resolved.region, "ap-south-1");
  assert.equal(resolved.stsRegion, "us-east-1");
});

Deno.test("role_session_name comes from [okta] when the chain has none; hop regions fall back to [okta]", () => {
  const resolved = resolve(
    "[okta]\nrole_session_name = okta-user\nregion = ca-central-1\n[profile r]\n[profile c]\nsource_profile = r\nrole_arn = arn:c\n",
    "c",
  );
  assert.deepStrictEqual(JSON.parse(JSON.stringify(resolved.hops)), [
    { profile: "c", roleArn: "arn:c", roleSessionName: "okta-user", region: "ca-central-1" },
  ]);
  assert.equal(resolved.stsRegion, "ca-central-1");
  assert.equal(resolved.region, "ca-central-1");
});

Deno.test("duration_seconds must be whole seconds from 900 to 43200", () => {
  const hop = (value: string) =>
    resolve(
      `[profile r]\n[profile c]\nsource_profile = r\nrole_arn = arn:c\nduration_seconds = ${value}\n`,
      "c",
    );
  assert.equal(hop("900").hops[0]?.durationSeconds, 900);
  assert.equal(hop("43200").hops[0]?.durationSeconds, 43200);
  for (const value of ["899", "43201", "1h", "3600.5", "-1000", "abc"]) {
    assertConfigError(
      () => hop(value),
      `invalid duration_seconds "${value}" in profile "c": use whole seconds from 900 to 43200`,
    );
  }
});

Deno.test("session_ttl and assume_role_ttl are Go durations found by the generic lookup", () => {
  const resolved = resolve(
    "[okta]\nsession_ttl = 8h\n[profile r]\nassume_role_ttl = 90m\n[profile c]\nsource_profile = r\n",
    "c",
  );
  assert.equal(resolved.sessionTtl, 8 * 3600);
  assert.equal(resolved.assumeRoleTtl, 5400);
  assertConfigError(
    () => resolve("[profile r]\n[profile c]\nsource_profile = r\n[okta]\nsession_ttl = soon\n", "c"),
    'invalid session_ttl "soon" in section "okta": use a number with a unit, e.g. 1h, 90m or 3600s',
  );
  assertConfigError(
    () => resolve("[profile r]\nassume_role_ttl = 10ms\n[profile c]\nsource_profile = r\n", "c"),
    'invalid assume_role_ttl "10ms" in profile "r": must be at least 1s',
  );
  // Lengths STS refuses are refused before any login.
  for (const [key, value] of [["session_ttl", "13h"], ["session_ttl", "5m"], ["assume_role_ttl", "899s"]]) {
    assertConfigError(
      () => resolve(`[profile r]\n${key} = ${value}\n`, "r"),
      `invalid ${key} "${value}" in profile "r": use a length from 15m to 12h`,
    );
  }
  assert.equal(resolve("[profile r]\nsession_ttl = 12h\n", "r").sessionTtl, 43200);
  assert.equal(resolve("[profile r]\nsession_ttl = 15m\n", "r").sessionTtl, 900);
  const none = resolve("[profile r]\n", "r");
  assert.ok(!("sessionTtl" in none) && !("assumeRoleTtl" in none));
});

Deno.test("generic lookup: profile, then sources nearest first, then [okta]", () => {
  const text =
    "[okta]\naws_saml_url = /home/okta\nmfa_provider = OKTA\nmfa_factor_type = push\nmfa_duo_device = phone2\n" +
    "okta_flow = okta\n[profile r]\nokta_account_name = work\nmfa_provider = DUO\nokta_flow = root\n" +
    "[profile m]\nsource_profile = r\nokta_session_cookie_key = cookie-m\nokta_flow = mid\n" +
    "[profile c]\nsource_profile = m\n";
  const resolved = resolve(text, "c");
  assert.equal(resolved.samlUrl, "home/okta");
  assert.equal(resolved.oktaAccount, "work");
  assert.equal(resolved.credentialsKey, "okta-creds-work");
  assert.equal(resolved.sessionCookieKey, "cookie-m");
  assert.deepStrictEqual({ ...resolved.mfa }, { provider: "DUO", factorType: "push", duoDevice: "phone2" });
  assert.equal(resolved.lookup("okta_flow"), "mid");
  assert.equal(resolve(text, "r").lookup("okta_flow"), "root");
  assert.equal(resolved.lookup("nothing"), undefined);
  assert.equal(resolved.lookup("toString"), undefined);
});

Deno.test("aws_saml_url: leading slashes stripped, full URLs kept", () => {
  assert.equal(resolve("[profile a]\naws_saml_url = //home/x/1\n", "a").samlUrl, "home/x/1");
  assert.equal(resolve("[profile a]\naws_saml_url = /\n", "a").samlUrl, undefined);
  assert.equal(
    resolve("[profile a]\naws_saml_url = https://acme.okta.com/home/x/1\n", "a").samlUrl,
    "https://acme.okta.com/home/x/1",
  );
});

Deno.test("credential_process is ignored and key names are case-insensitive, as the AWS CLI reads them", () => {
  const resolved = resolve(
    "[profile r]\nOkta_AWS_Role_Arn = arn:upper\ncredential_process = aws-okta cred-process r\nREGION = x\n" +
      "[profile c]\nSource_Profile = r\ncredential_process = aws-okta cred-process c\n",
    "c",
  );
  assert.deepStrictEqual(data(resolved), {
    name: "c",
    chain: ["c", "r"],
    credentialsKey: "okta-creds",
    sessionCookieKey: "okta-session-cookie",
    samlRoleArn: "arn:upper",
    region: "x",
    stsRegion: "x",
    hops: [],
    mfa: {},
  });
});
Deno.test("[profile default] and [default] both name the default profile", () => {
  assert.equal(resolve("[default]\nrole_arn = arn:d\n", "default").samlRoleArn, "arn:d");
  assert.equal(resolve("[profile default]\nrole_arn = arn:pd\n", "default").samlRoleArn, "arn:pd");
  const chained = resolve(
    "[default]\nrole_arn = arn:d\n[profile c]\nsource_profile = default\nrole_arn = arn:c\n",
    "c",
  );
  assert.deepStrictEqual([chained.samlRoleArn, chained.hops.map((h) => h.roleArn)], ["arn:d", ["arn:c"]]);
});
