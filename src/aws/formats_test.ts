import assert from "node:assert/strict";
import { requirePeer } from "../../tests/peers.ts";
import type { AwsCredentials } from "./credentials.ts";
import { childEnv, credentialEnv, credentialProcessJson, EXEC_UNSET_VARS } from "./formats.ts";

const CREDS: AwsCredentials = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE+token/=",
  expiration: new Date(Date.UTC(2024, 4, 1, 13, 0, 0, 789)),
  assumedRoleArn: "arn:aws:sts::111111111111:assumed-role/Engineer/alice@example.com",
};

Deno.test("credentialProcessJson writes the AWS CLI document in key order, UTC without milliseconds", () => {
  assert.equal(
    credentialProcessJson(CREDS, false),
    '{"Version":1,"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",' +
      '"SessionToken":"IQoJb3JpZ2luX2VjEXAMPLE+token/=","Expiration":"2024-05-01T13:00:00Z"}\n',
  );
  assert.equal(
    credentialProcessJson(CREDS, true),
    `{
    "Version": 1,
    "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",
    "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    "SessionToken": "IQoJb3JpZ2luX2VjEXAMPLE+token/=",
    "Expiration": "2024-05-01T13:00:00Z"
}
`,
  );
});

Deno.test("credentialEnv sets the aws-okta exec variables", () => {
  assert.deepEqual(credentialEnv({ creds: CREDS, profile: "okta-dev", region: "eu-west-1" }), {
    AWS_ACCESS_KEY_ID: "ASIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLE+token/=",
    AWS_SECURITY_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLE+token/=",
    AWS_OKTA_PROFILE: "okta-dev",
    AWS_OKTA_ASSUMED_ROLE_ARN: "arn:aws:sts::111111111111:assumed-role/Engineer/alice@example.com",
    AWS_OKTA_ASSUMED_ROLE: "Engineer",
    AWS_OKTA_SESSION_EXPIRATION: "1714568400",
    AWS_CREDENTIAL_EXPIRATION: "2024-05-01T13:00:00Z",
    AWS_REGION: "eu-west-1",
    AWS_DEFAULT_REGION: "eu-west-1",
  });
});

Deno.test("credentialEnv prefers the GetCallerIdentity ARN and leaves out what is unknown", () => {
  const { assumedRoleArn: _, ...bare } = CREDS;
  const withIdentity = credentialEnv({
    creds: bare,
    profile: "p",
    assumedRoleArn: "arn:aws:sts::222222222222:assumed-role/Deploy/alice",
  });
  assert.equal(withIdentity.AWS_OKTA_ASSUMED_ROLE_ARN, "arn:aws:sts::222222222222:assumed-role/Deploy/alice");
  assert.equal(withIdentity.AWS_OKTA_ASSUMED_ROLE, "Deploy");
  const minimal = credentialEnv({ creds: bare, profile: "p" });
  assert.ok(!("AWS_OKTA_ASSUMED_ROLE_ARN" in minimal));
  assert.ok(!("AWS_OKTA_ASSUMED_ROLE" in minimal));
  assert.ok(!("AWS_REGION" in minimal));
  assert.ok(!("AWS_DEFAULT_REGION" in minimal));
});

Deno.test("childEnv drops stale credentials and profile selections, keeps the rest, adds the new values", () => {
  const parent: Record<string, string> = { PATH: "/usr/bin", HOME: "/home/a", AWS_REGION: "us-east-2" };
  for (const name of EXEC_UNSET_VARS) parent[name] = "stale";
  assert.deepEqual(
    [...EXEC_UNSET_VARS].sort(),
    [
      "AWS_ACCESS_KEY_ID",
      "AWS_CREDENTIAL_FILE",
      "AWS_DEFAULT_PROFILE",
      "AWS_OKTA_PROFILE",
      "AWS_PROFILE",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SECURITY_TOKEN",
      "AWS_SESSION_TOKEN",
    ],
  );
  const env = childEnv(parent, { AWS_ACCESS_KEY_ID: "new", AWS_REGION: "eu-west-1" });
  assert.deepEqual(env, {
    PATH: "/usr/bin",
    HOME: "/home/a",
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "new",
  });
  assert.equal(parent.AWS_PROFILE, "stale", "the parent is not modified");
  // exec --server also drops the parent's container-provider variables.
  assert.deepEqual(
    childEnv({ ...parent, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/x" }, {}, [
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ]),
    { PATH: "/usr/bin", HOME: "/home/a", AWS_REGION: "us-east-2" },
  );
});

Deno.test("childEnv never hands aws-okta's secret inputs to the child", () => {
  const env = childEnv({
    PATH: "/usr/bin",
    AWS_OKTA_FILE_PASSPHRASE: "unlocks the Okta password",
    OKTA_AWSCLI_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----",
  }, { AWS_ACCESS_KEY_ID: "new" });
  assert.deepEqual(env, { PATH: "/usr/bin", AWS_ACCESS_KEY_ID: "new" });
});

Deno.test("childEnv gives the child the user's DENO_DIR and DENO_NO_UPDATE_CHECK, not the launcher's", () => {
  const launched = {
    PATH: "/usr/bin",
    AWS_OKTA_LAUNCHER: "1",
    DENO_DIR: "/opt/aws-okta/lib/aws-okta/cache",
    DENO_NO_UPDATE_CHECK: "1",
    AWS_OKTA_USER_DENO_DIR: "/home/a/.cache/deno",
  };
  // The user had a DENO_DIR and no DENO_NO_UPDATE_CHECK: the child gets exactly that.
  assert.deepEqual(childEnv(launched, {}), { PATH: "/usr/bin", DENO_DIR: "/home/a/.cache/deno" });
  // The user had no DENO_DIR and an empty DENO_NO_UPDATE_CHECK.
  const { AWS_OKTA_USER_DENO_DIR: _, ...withoutDir } = launched;
  assert.deepEqual(
    childEnv({ ...withoutDir, AWS_OKTA_USER_DENO_NO_UPDATE_CHECK: "" }, {}),
    { PATH: "/usr/bin", DENO_NO_UPDATE_CHECK: "" },
  );
  // Not started by the launcher (deno run, the compiled binary): DENO_DIR is the user's own.
  assert.deepEqual(childEnv({ PATH: "/usr/bin", DENO_DIR: "/d" }, {}), { PATH: "/usr/bin", DENO_DIR: "/d" });
});

// ---------------------------------------------------------------------------------------------
// The AWS CLI (pyenv awscli v1) reads our credential_process output.

// Its credential_process here is a /bin/sh script, which Windows cannot run.
const AWS_CLI = Deno.build.os === "windows"
  ? undefined
  : requirePeer("aws", "pip install awscli (pyenv python has awscli v1)");

/** A loopback STS that records the credentials the CLI signed with. */
async function withIdentityServer(fn: (url: string, seen: Headers[]) => Promise<void>): Promise<void> {
  const body = await Deno.readTextFile(
    new URL("../../tests/fixtures/sts/get_caller_identity.xml", import.meta.url),
  );
  const seen: Headers[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    await request.body?.cancel();
    seen.push(request.headers);
    return new Response(body, { headers: { "content-type": "text/xml" } });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

async function runAwsCli(dir: string, json: string, endpoint: string) {
  await Deno.writeTextFile(`${dir}/creds.json`, json);
  await Deno.writeTextFile(`${dir}/cred.sh`, `#!/bin/sh\ncat '${dir}/creds.json'\n`);
  await Deno.chmod(`${dir}/cred.sh`, 0o755);
  await Deno.writeTextFile(`${dir}/config`, `[profile p]\ncredential_process = ${dir}/cred.sh\n`);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(Deno.env.toObject())) {
    if (!name.startsWith("AWS_")) env[name] = value;
  }
  Object.assign(env, {
    HOME: dir,
    AWS_CONFIG_FILE: `${dir}/config`,
    AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
    AWS_EC2_METADATA_DISABLED: "true",
  });
  const output = await new Deno.Command(AWS_CLI!, {
    args: [
      "sts",
      "get-caller-identity",
      "--profile",
      "p",
      "--region",
      "us-east-1",
      "--endpoint-url",
      endpoint,
    ],
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test("the AWS CLI signs with the credentials of our credential_process JSON", {
  ignore: AWS_CLI === undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-cli-" });
  try {
    await withIdentityServer(async (url, seen) => {
      const creds = { ...CREDS, expiration: new Date(Date.now() + 3600_000) };
      for (const pretty of [false, true]) {
        const result = await runAwsCli(dir, credentialProcessJson(creds, pretty), url);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(JSON.parse(result.stdout).Account, "111111111111");
        const headers = seen.at(-1)!;
        assert.ok(headers.get("authorization")?.includes(`Credential=${creds.accessKeyId}/`));
        assert.equal(headers.get("x-amz-security-token"), creds.sessionToken);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the AWS CLI reads our Expiration: expired credentials are refused", {
  ignore: AWS_CLI === undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-cli-" });
  try {
    await withIdentityServer(async (url, seen) => {
      const creds = { ...CREDS, expiration: new Date(Date.now() - 3600_000) };
      const result = await runAwsCli(dir, credentialProcessJson(creds, false), url);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /expired/i);
      assert.equal(seen.length, 0, "the CLI never sent the expired credentials");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
