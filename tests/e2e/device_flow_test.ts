/**
 * Identity Engine profiles end to end: the real CLI against the simulator's device authorization,
 * token exchange and /login/token/sso, with cred-process/exec/env working as for classic profiles.
 */

import assert from "node:assert/strict";
import { approveDevice, DEMO_CLIENT_ID, idx } from "../sim/idx_state.ts";
import { encodeBase64 } from "../sim/saml.ts";
import { assertIncludes, createWorld, expectCode, resetCounts, samlUrlOf, type World } from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const ADMIN = "arn:aws:iam::123456789012:role/Admin";

function deviceConfig(world: World, extra = ""): string {
  return `[profile idx]
okta_org_domain = ${world.sim.url}
okta_oidc_client_id = ${DEMO_CLIENT_ID}
okta_aws_role_arn = ${ENGINEER}
region = us-west-2
${extra}
[profile idx-admin]
source_profile = idx
role_arn = ${ADMIN}
`;
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await filesUnder(path));
    else if (entry.isFile) out.push(path);
  }
  return out;
}

Deno.test("device flow via cred-process: cold, then cached, then refreshed with no browser", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(deviceConfig(world));
    const cold = await world.run(["cred-process", "idx"]);
    expectCode(cold, 0);
    assertIncludes(cold.stderr, `${world.sim.url}/activate?user_code=`);
    assertIncludes(cold.stderr, "confirm the code");
    const first = JSON.parse(cold.stdout);
    assert.equal(first.Version, 1);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 1);
    assert.equal(world.sim.count("oauth:token-exchange"), 1);
    assert.equal(world.sim.count("POST /login/token/sso"), 1);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    // The device-flow scopes ask for a refresh token and the appLinks scope.
    const code = [...idx(world.sim.state).deviceCodes.values()][0]!;
    assert.deepEqual(code.scopes, ["openid", "okta.apps.sso", "okta.users.read.self", "offline_access"]);

    resetCounts(world.sim);
    const cached = await world.run(["cred-process", "idx"]);
    expectCode(cached, 0);
    assert.equal(JSON.parse(cached.stdout).AccessKeyId, first.AccessKeyId);
    assert.deepEqual(world.sim.counts(), {}, "a cache hit makes no request");

    // --refresh ignores the AWS session; the Okta tokens in the keyring still work: no browser.
    const again = await world.run(["cred-process", "--refresh", "idx"]);
    expectCode(again, 0);
    assert.notEqual(JSON.parse(again.stdout).AccessKeyId, first.AccessKeyId);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 0);
    assert.equal(world.sim.count("oauth:refresh_token"), 0);
    assert.ok(!again.stderr.includes("/activate"), again.stderr);

    // Short-lived access tokens: after a new sign-in, the next call refreshes them: still no browser.
    idx(world.sim.state).accessTokenTtlSeconds = 30;
    const item = (await filesUnder(`${world.home}/.aws-okta`)).find((f) => f.includes("okta-oidc-tokens"));
    assert.ok(item, "the tokens are a keyring item");
    await Deno.remove(item);
    resetCounts(world.sim);
    const signedInAgain = await world.run(["cred-process", "--refresh", "idx"]);
    expectCode(signedInAgain, 0);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 1, "no tokens: the browser flow");
    resetCounts(world.sim);
    const refreshed = await world.run(["cred-process", "--refresh", "idx"]);
    expectCode(refreshed, 0);
    assert.equal(world.sim.count("oauth:refresh_token"), 1);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 0);

    // Okta refuses the refresh token (invalid_grant): it is dropped and the browser flow runs once.
    resetCounts(world.sim);
    idx(world.sim.state).refreshTokens.clear();
    const reauth = await world.run(["cred-process", "--refresh", "idx"]);
    expectCode(reauth, 0);
    assert.equal(world.sim.count("oauth:refresh_token"), 1);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 1);

    // No token is ever written outside the keyring (whose files are encrypted).
    const tokens = [
      ...idx(world.sim.state).accessTokens.keys(),
      ...idx(world.sim.state).refreshTokens.keys(),
    ];
    for (const file of await filesUnder(world.home)) {
      const text = await Deno.readTextFile(file).catch(() => "");
      for (const token of tokens) assert.ok(!text.includes(token), `a token is in plain text in ${file}`);
    }
  } finally {
    await world.close();
  }
});

Deno.test("device flow: exec and env work for device profiles, role hops included", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(deviceConfig(world));
    const env = await world.run(["env", "--shell", "bash", "idx-admin"]);
    expectCode(env, 0);
    assertIncludes(env.stdout, "export AWS_ACCESS_KEY_ID=");
    assertIncludes(env.stdout, "export AWS_OKTA_ASSUMED_ROLE=Admin\n");
    assert.equal(world.sim.count("sts:AssumeRole"), 1);
    const exec = await world.run(["exec", "idx", "--", "sh", "-c", 'test -n "$AWS_SESSION_TOKEN" && exit 7']);
    assert.equal(exec.code, 7, exec.stderr);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 1, "one sign-in for both commands");
  } finally {
    await world.close();
  }
});

Deno.test("sixteen concurrent cold calls of a device profile: one device authorization", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(deviceConfig(world));
    idx(world.sim.state).approval = { mode: "auto", afterPolls: 5 };
    const runs = await Promise.all(Array.from({ length: 16 }, () => world.run(["cred-process", "idx"])));
    for (const run of runs) expectCode(run, 0);
    assert.equal(new Set(runs.map((run) => JSON.parse(run.stdout).AccessKeyId)).size, 1);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 1);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    assert.equal(runs.filter((run) => run.stderr.includes("/activate?user_code=")).length, 1);
  } finally {
    await world.close();
  }
});

Deno.test("device flow: the browser command is run with the URL, and approving there signs in", async () => {
  const world = await createWorld();
  try {
    // The "browser" is a script that visits the verification page (the simulator approves on visit).
    const browser = `${world.home}/browser.ts`;
    await Deno.writeTextFile(browser, "await (await fetch(Deno.args[Deno.args.length - 1]!)).text();\n");
    const command = `${Deno.execPath()} run -q --allow-net=127.0.0.1 ${browser}`;
    await world.writeConfig(deviceConfig(world, `okta_open_browser_command = ${command}\n`));
    idx(world.sim.state).approval = { mode: "manual" };
    const run = await world.run(["cred-process", "idx"]);
    expectCode(run, 0);
    assert.equal(world.sim.count("GET /activate"), 1);
  } finally {
    await world.close();
  }
});

Deno.test("device flow: appLinks across pages, several AWS apps prompt by label", async () => {
  const world = await createWorld();
  try {
    const user = world.sim.state.users[0]!;
    user.apps.push({ ...user.apps[0]!, id: "0oa2secondAPP0000", label: "AWS Staging" });
    idx(world.sim.state).appLinksPageSize = 1;
    await world.writeConfig(deviceConfig(world));
    // Options are sorted by label: "AWS Production", "AWS Staging"; pick the second.
    const run = await world.run(["cred-process", "idx"], { stdin: "2\n" });
    expectCode(run, 0);
    assertIncludes(run.stderr, "Select the AWS app");
    assertIncludes(run.stderr, "AWS Staging (0oa2secondAPP0000)");
    assert.ok(world.sim.count("GET /api/v1/users/me/appLinks") >= 4, "every page was read");
    const assertion = [...world.sim.state.assertions.values()][0]!;
    assert.equal(assertion.appId, "0oa2secondAPP0000");
  } finally {
    await world.close();
  }
});

Deno.test("device flow: policy refusals and denials say what to do; nothing on stdout", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(deviceConfig(world, "okta_aws_fed_app_id = 0oa1abcdEFGH2345\n"));
    idx(world.sim.state).policyErrors.set("0oa1abcdEFGH2345", "assurance");
    const refused = await world.run(["cred-process", "idx"]);
    expectCode(refused, 1);
    assert.equal(refused.stdout, "");
    assertIncludes(refused.stderr, "sign-on policy");
    assertIncludes(refused.stderr, `client "${DEMO_CLIENT_ID}", app "0oa1abcdEFGH2345"`);
    assertIncludes(refused.stderr, "assurance requirements are not met");
    assertIncludes(refused.stderr, "Device authorization");

    idx(world.sim.state).policyErrors.set("0oa1abcdEFGH2345", "web-sso-not-allowed");
    const notAllowed = await world.run(["cred-process", "idx"]);
    expectCode(notAllowed, 1);
    assertIncludes(notAllowed.stderr, "Web SSO client");

    idx(world.sim.state).policyErrors.clear();
    await world.run(["cred-process", "idx"]).then((r) => expectCode(r, 0));
  } finally {
    await world.close();
  }
});

Deno.test("device flow: denied and expired device codes stop with a clear message", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(deviceConfig(world));
    idx(world.sim.state).approval = { mode: "deny" };
    const denied = await world.run(["cred-process", "idx"]);
    expectCode(denied, 1);
    assertIncludes(denied.stderr, "the sign-in was denied in the browser");

    idx(world.sim.state).approval = { mode: "manual" };
    idx(world.sim.state).deviceCodeTtlSeconds = 1;
    const expired = await world.run(["cred-process", "idx"], { env: { AWS_OKTA_POLL_INTERVAL_MS: "400" } });
    expectCode(expired, 1);
    assertIncludes(expired.stderr, "the device code expired before the sign-in was approved");
    assert.equal(approveDevice(world.sim.state), 1, "the code was never approved");
  } finally {
    await world.close();
  }
});

Deno.test("device flow: slow_down is honoured and the sign-in still completes", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(deviceConfig(world));
    idx(world.sim.state).slowDownPolls = 2;
    const run = await world.run(["cred-process", "idx"]);
    expectCode(run, 0);
    assert.equal(idx(world.sim.state).slowDownPolls, 0);
  } finally {
    await world.close();
  }
});

Deno.test("okta_auth_flow: auto falls back to classic on a Classic org; an explicit device says why it cannot", async () => {
  const world = await createWorld();
  try {
    idx(world.sim.state).pipeline = "v1";
    await world.writeConfig(`[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile auto]
okta_oidc_client_id = ${DEMO_CLIENT_ID}
okta_aws_role_arn = ${ENGINEER}

[profile device]
okta_auth_flow = device
okta_org_domain = ${world.sim.url}
okta_oidc_client_id = ${DEMO_CLIENT_ID}
okta_aws_role_arn = ${ENGINEER}

[profile bad]
okta_auth_flow = sideways
`);
    expectCode(await world.add(), 0);
    const auto = await world.run(["cred-process", "auto"]);
    expectCode(auto, 0);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 0);

    const device = await world.run(["cred-process", "device"]);
    expectCode(device, 1);
    assertIncludes(device.stderr, "is a Classic Engine org: the device flow needs Identity Engine");
    assertIncludes(device.stderr, "okta_auth_flow = classic");

    const bad = await world.run(["cred-process", "bad"]);
    expectCode(bad, 2);
    assertIncludes(bad.stderr, 'invalid okta_auth_flow "sideways"');
  } finally {
    await world.close();
  }
});

Deno.test("device flow: a terminated Okta session is refreshed without a browser, else signed in again", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(deviceConfig(world));
    expectCode(await world.run(["cred-process", "idx"]), 0);
    // The session behind the stored tokens ends: the exchange says the subject token is stale.
    idx(world.sim.state).revokeAll();
    resetCounts(world.sim);
    const refreshed = await world.run(["cred-process", "--refresh", "idx"]);
    expectCode(refreshed, 0);
    assert.equal(world.sim.count("GET /api/v1/users/me/appLinks"), 2, "refused once, then retried");
    assert.equal(world.sim.count("oauth:token-exchange"), 1);
    assert.equal(world.sim.count("oauth:refresh_token"), 1);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 0);

    // Without a refresh token that works, the browser flow runs once more.
    idx(world.sim.state).revokeAll();
    idx(world.sim.state).refreshTokens.clear();
    resetCounts(world.sim);
    const again = await world.run(["cred-process", "--refresh", "idx"]);
    expectCode(again, 0);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 1);
  } finally {
    await world.close();
  }
});

Deno.test("device flow: with the app id configured, a stale subject token at the exchange is retried once", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(deviceConfig(world, "okta_aws_fed_app_id = 0oa1abcdEFGH2345\n"));
    expectCode(await world.run(["cred-process", "idx"]), 0);
    assert.equal(world.sim.count("GET /api/v1/users/me/appLinks"), 0, "the configured app needs no lookup");
    idx(world.sim.state).revokeAll();
    resetCounts(world.sim);
    const run = await world.run(["cred-process", "--refresh", "idx"]);
    expectCode(run, 0);
    assert.equal(world.sim.count("oauth:token-exchange"), 2, "refused once, then retried");
    assert.equal(world.sim.count("oauth:refresh_token"), 1);
  } finally {
    await world.close();
  }
});

Deno.test("device flow: --debug and the QR code show no token, device code or SAML", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(deviceConfig(world, "okta_qr_code = true\n"));
    const run = await world.run(["cred-process", "--debug", "idx"]);
    expectCode(run, 0);
    assertIncludes(run.stderr, "[debug]", "debug lines are there");
    assertIncludes(run.stderr, "▄", "the QR code is drawn on stderr");
    const state = idx(world.sim.state);
    const secrets = [
      ...state.accessTokens.keys(),
      ...[...state.accessTokens.values()].map((t) => t.idToken ?? "-"),
      ...state.refreshTokens.keys(),
      ...state.deviceCodes.keys(),
      ...[...world.sim.state.assertions.values()].map((a) =>
        encodeBase64(new TextEncoder().encode(a.xml)).slice(100, 160)
      ),
    ];
    assert.ok(secrets.length >= 5);
    for (const secret of secrets) assert.ok(!run.stderr.includes(secret), "a secret reached stderr");
  } finally {
    await world.close();
  }
});

Deno.test("device flow: a cache hit of a device profile loads no npm module", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(deviceConfig(world));
    expectCode(await world.run(["cred-process", "idx"]), 0);
    // --no-npm makes any npm import throw: the cache-hit path must not need one.
    const { CONFIG, MAIN } = await import("./harness.ts");
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "--no-npm", "-P=aws-okta", "--config", CONFIG, MAIN, "cred-process", "idx"],
      env: world.env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(output.stderr), "");
    assert.equal(output.code, 0);
  } finally {
    await world.close();
  }
});
