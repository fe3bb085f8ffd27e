import assert from "node:assert/strict";
import { parseAwsConfig, resolveProfile } from "../../config/aws_config.ts";
import { deviceCacheParts, deviceSettings, loginLockName, mayUseDeviceFlow } from "./login_flow.ts";

const CONFIG = `[okta]
okta_org_domain = acme.okta.com

[profile classic]
aws_saml_url = home/amazon_aws/0oa1/272

[profile device]
okta_oidc_client_id = 0oaC
okta_aws_fed_app_id = 0oaApp
okta_open_browser = true
okta_qr_code = yes

[profile chained]
source_profile = device
role_arn = arn:aws:iam::123456789012:role/Admin

[profile forced-classic]
okta_auth_flow = classic
okta_oidc_client_id = 0oaC

[profile browser-command]
okta_oidc_client_id = 0oaC
okta_open_browser_command = firefox --new-window
`;

const profile = (name: string) => resolveProfile(parseAwsConfig(CONFIG, "/config"), name);

Deno.test("login flow: settings come through the source_profile chain and [okta]", () => {
  assert.deepEqual(deviceSettings(profile("chained")), {
    flow: "auto",
    openBrowser: true,
    qrCode: true,
    clientId: "0oaC",
    appId: "0oaApp",
    orgDomain: "acme.okta.com",
  });
  assert.equal(deviceSettings(profile("browser-command")).openBrowser, true, "a command implies opening");
  assert.equal(mayUseDeviceFlow(deviceSettings(profile("classic"))), false);
  assert.equal(mayUseDeviceFlow(deviceSettings(profile("forced-classic"))), false);
  assert.equal(mayUseDeviceFlow(deviceSettings(profile("device"))), true);
});

Deno.test("login flow: lock per Okta account for classic, per org and client for the device flow", () => {
  assert.equal(loginLockName(profile("classic")), "login okta-creds");
  assert.equal(loginLockName(profile("device")), "login oidc acme.okta.com 0oaC");
  assert.equal(loginLockName(profile("chained")), loginLockName(profile("device")));
});

Deno.test("login flow: cache keys of classic profiles do not change; device ones name org, client, app", () => {
  assert.deepEqual(deviceCacheParts(profile("classic")), []);
  assert.deepEqual(deviceCacheParts(profile("forced-classic")), []);
  assert.deepEqual(deviceCacheParts(profile("device")), ["device", "acme.okta.com", "0oaC", "0oaApp"]);
});

Deno.test("login flow: an unknown okta_auth_flow is a usage error", () => {
  const bad = resolveProfile(parseAwsConfig("[profile x]\nokta_auth_flow = web\n", "/c"), "x");
  assert.throws(() => deviceSettings(bad), /invalid okta_auth_flow "web" for profile "x"/);
});
