import assert from "node:assert/strict";
import { parseAwsConfig } from "../config/aws_config.ts";
import { goProfileTable, listProfiles, partialAssumeRoleProfiles, profileTable } from "./list.ts";

const CONFIG = `[okta]
aws_saml_url = home/amazon_aws/0oa1/272

[default]
region = us-east-1

[profile static]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = secret

[profile sso]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[profile okta-dev]
okta_aws_role_arn = arn:aws:iam::111111111111:role/Engineer
region = us-west-2
credential_process = aws-okta cred-process okta-dev

[profile prod-admin]
source_profile = okta-dev
role_arn = arn:aws:iam::222222222222:role/Admin

[profile chooser]
credential_process = aws-okta cred-process chooser

[profile account-b]
aws_saml_url = home/amazon_aws/0oa2/123
okta_aws_role_arn = arn:aws:iam::333333333333:role/B
okta_account_name = account-b

[profile device]
okta_oidc_client_id = 0oaCLIENT
okta_aws_fed_app_id = 0oaAPP
okta_aws_role_arn = arn:aws:iam::444444444444:role/D

[profile looped]
source_profile = looped-2
okta_aws_role_arn = arn:aws:iam::111111111111:role/X

[profile looped-2]
source_profile = looped
`;

Deno.test("list: profiles aws-okta serves, with flow, region and role chain", () => {
  const { profiles, skipped } = listProfiles(parseAwsConfig(CONFIG, "/home/u/.aws/config"));
  assert.deepEqual(profiles.map((p) => p.name), ["okta-dev", "prod-admin", "chooser", "account-b", "device"]);
  const admin = profiles.find((p) => p.name === "prod-admin")!;
  assert.deepEqual(admin, {
    name: "prod-admin",
    flow: "classic",
    chain: ["prod-admin", "okta-dev"],
    roles: [
      { profile: "okta-dev", roleArn: "arn:aws:iam::111111111111:role/Engineer" },
      { profile: "prod-admin", roleArn: "arn:aws:iam::222222222222:role/Admin" },
    ],
    region: "us-west-2",
    samlUrl: "home/amazon_aws/0oa1/272",
  });
  assert.deepEqual(profiles.find((p) => p.name === "chooser")!.roles, [{
    profile: "chooser",
    roleArn: undefined,
  }]);
  assert.equal(profiles.find((p) => p.name === "account-b")!.oktaAccount, "account-b");
  assert.equal(profiles.find((p) => p.name === "device")!.flow, "auto");
  assert.deepEqual(skipped.map((s) => s.name), ["looped", "looped-2"]);
  assert.match(skipped[0]!.reason, /source_profile loop/);
});

Deno.test("list: an explicit okta_auth_flow wins", () => {
  const text = `[profile a]
okta_oidc_client_id = 0oa1
okta_auth_flow = classic
aws_saml_url = home/amazon_aws/0oa1/272
role_arn = arn:aws:iam::111111111111:role/A

[profile b]
okta_oidc_client_id = 0oa1
okta_auth_flow = device
role_arn = arn:aws:iam::111111111111:role/B
`;
  const { profiles } = listProfiles(parseAwsConfig(text, "config"));
  assert.deepEqual(profiles.map((p) => [p.name, p.flow]), [["a", "classic"], ["b", "device"]]);
});

Deno.test("list: the table aligns columns and marks roles chosen at login", () => {
  const { profiles } = listProfiles(parseAwsConfig(CONFIG, "config"));
  const table = profileTable(profiles.slice(0, 3));
  assert.equal(
    table,
    "PROFILE     FLOW     REGION     ROLES\n" +
      "okta-dev    classic  us-west-2  arn:aws:iam::111111111111:role/Engineer\n" +
      "prod-admin  classic  us-west-2  arn:aws:iam::111111111111:role/Engineer -> arn:aws:iam::222222222222:role/Admin\n" +
      "chooser     classic  -          (chosen at login)\n",
  );
});

Deno.test("list: Go's table, byte for byte as Go aws-okta v1.0.11 prints it (tabs, sorted, role_arn only)", () => {
  // Expected bytes captured from the real Go binary on this config (tests/e2e/go_scripts_test.ts
  // compares the two binaries live).
  const text = `[okta]
aws_saml_url = home/amazon_aws/0oa1/272

[default]
region = us-east-1

[profile okta-dev]
role_arn = arn:aws:iam::111111111111:role/Engineer
region = us-west-2

[profile prod-administrator-long-name]
source_profile = okta-dev
role_arn = arn:aws:iam::222222222222:role/Admin

[profile b]
role_arn = arn:aws:iam::3:role/B
source_profile = Zeta

[profile Zeta]
okta_aws_role_arn = arn:aws:iam::4:role/Z

[profile prød]
role_arn = arn:aws:iam::5:role/P
`;
  assert.equal(
    goProfileTable(parseAwsConfig(text, "config")),
    "PROFILE\t\t\t\tARN\t\t\t\t\t\tSOURCE_ROLE\t\n" +
      "b\t\t\t\tarn:aws:iam::3:role/B\t\t\t\tZeta\n" +
      "okta-dev\t\t\tarn:aws:iam::111111111111:role/Engineer\t\t\n" +
      "prod-administrator-long-name\tarn:aws:iam::222222222222:role/Admin\t\tokta-dev\n" +
      "prød\t\t\t\tarn:aws:iam::5:role/P\t\t\t\t\n",
  );
  assert.equal(
    goProfileTable(parseAwsConfig("[profile a]\nregion = x\n", "config")),
    "PROFILE\t\tARN\tSOURCE_ROLE\t\n",
  );
});

Deno.test("list: profiles with role_arn but no source_profile beside credential_process are flagged", () => {
  const text = `[profile go-style]
role_arn = arn:aws:iam::1:role/A
credential_process = aws-okta cred-process go-style

[profile fixed]
okta_aws_role_arn = arn:aws:iam::1:role/A
credential_process = aws-okta cred-process fixed

[profile hop]
source_profile = fixed
role_arn = arn:aws:iam::2:role/B
credential_process = aws-okta cred-process hop

[profile Upper]
Role_Arn = arn:aws:iam::1:role/A
Credential_Process = aws-okta cred-process Upper

[profile exec-only]
role_arn = arn:aws:iam::1:role/A
`;
  assert.deepEqual(partialAssumeRoleProfiles(parseAwsConfig(text, "config")), ["go-style", "Upper"]);
});
