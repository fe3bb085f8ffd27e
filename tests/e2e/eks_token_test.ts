/**
 * End to end: `eks-token` prints an ExecCredential whose token a verifier in the style of
 * aws-iam-authenticator accepts (decode, check the URL, replay it to STS with the cluster header),
 * and kubectl uses it through an exec plugin against a TLS API server that verifies it that way.
 */

import assert from "node:assert/strict";
import { requirePeer } from "../peers.ts";
import { assertIncludes, createWorld, expectCode, samlUrlOf, type World } from "./harness.ts";
import { envWithLauncher, installLauncher } from "./launcher.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const ADMIN = "arn:aws:iam::123456789012:role/Admin";

async function setUp(): Promise<World> {
  const world = await createWorld();
  await world.writeConfig(`[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
okta_aws_role_arn = ${ENGINEER}
region = us-west-2

[profile admin]
source_profile = dev
role_arn = ${ADMIN}

[profile bare]
okta_aws_role_arn = ${ENGINEER}
`);
  expectCode(await world.add(), 0);
  return world;
}

/** What aws-iam-authenticator does with a bearer token: the caller's ARN, or why it is refused. */
async function verify(
  token: string,
  cluster: string,
  stsOrigin: string,
): Promise<{ arn?: string; error?: string }> {
  if (!token.startsWith("k8s-aws-v1.")) return { error: "bad prefix" };
  const b64 = token.slice("k8s-aws-v1.".length);
  if (/[=+/]/.test(b64)) return { error: "not unpadded base64url" };
  const binary = atob(
    b64.replaceAll("-", "+").replaceAll("_", "/").padEnd(Math.ceil(b64.length / 4) * 4, "="),
  );
  const url = new URL(binary);
  const query = url.searchParams;
  if (url.origin !== stsOrigin || url.pathname !== "/") return { error: `unexpected host ${url.origin}` };
  if (query.get("Action") !== "GetCallerIdentity") return { error: "not GetCallerIdentity" };
  if (!query.get("X-Amz-SignedHeaders")?.split(";").includes("x-k8s-aws-id")) {
    return { error: "cluster not signed" };
  }
  const response = await fetch(url, { headers: { "x-k8s-aws-id": cluster } });
  const text = await response.text();
  if (response.status !== 200) return { error: `STS ${response.status}: ${text}` };
  return { arn: /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1]! };
}

Deno.test("eks-token: an ExecCredential whose token STS verifies for that cluster only", async () => {
  const world = await setUp();
  try {
    const before = Date.now();
    const result = await world.run(["eks-token", "dev", "--cluster-name", "prod"]);
    expectCode(result, 0);
    const document = JSON.parse(result.stdout);
    assert.equal(document.kind, "ExecCredential");
    assert.equal(document.apiVersion, "client.authentication.k8s.io/v1beta1");
    assert.deepEqual(document.spec, {});
    const expires = Date.parse(document.status.expirationTimestamp);
    assert.match(document.status.expirationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(expires >= Math.floor(before / 1000) * 1000 + 14 * 60_000, "about 14 minutes ahead");
    assert.ok(expires <= Date.now() + 14 * 60_000);

    const ok = await verify(document.status.token, "prod", world.sim.stsUrl);
    assert.deepEqual(ok, { arn: "arn:aws:sts::123456789012:assumed-role/Engineer/alice@example.com" });
    const other = await verify(document.status.token, "staging", world.sim.stsUrl);
    assert.match(other.error ?? "", /STS 403/, "another cluster's name fails the signature");

    // A role chain signs with the last hop; the token comes from the cache the second time.
    const admin = await world.run(["eks-token", "admin", "-c", "prod"]);
    expectCode(admin, 0);
    const adminArn = await verify(JSON.parse(admin.stdout).status.token, "prod", world.sim.stsUrl);
    assert.equal(adminArn.arn, "arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com");
  } finally {
    await world.close();
  }
});

Deno.test("eks-token: the regional STS endpoint signs; KUBERNETES_EXEC_INFO picks the API version", async () => {
  const world = await setUp();
  try {
    expectCode(await world.run(["cred-process", "dev"]), 0);
    // Cached credentials: no STS call, so the real endpoints can be named.
    for (
      const [args, host, region] of [
        [["eks-token", "dev", "--cluster-name", "c"], "sts.us-west-2.amazonaws.com", "us-west-2"],
        [
          ["eks-token", "dev", "--cluster-name", "c", "--region", "eu-central-1"],
          "sts.eu-central-1.amazonaws.com",
          "eu-central-1",
        ],
      ] as const
    ) {
      const result = await world.run(args, {
        env: {
          AWS_ENDPOINT_URL_STS: undefined,
          KUBERNETES_EXEC_INFO:
            '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}',
        },
      });
      expectCode(result, 0);
      const document = JSON.parse(result.stdout);
      assert.equal(document.apiVersion, "client.authentication.k8s.io/v1");
      const b64 = document.status.token.slice("k8s-aws-v1.".length).replaceAll("-", "+").replaceAll("_", "/");
      const url = new URL(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, "=")));
      assert.equal(url.host, host);
      assert.match(url.searchParams.get("X-Amz-Credential")!, new RegExp(`/${region}/sts/aws4_request$`));
      assert.equal(url.searchParams.get("X-Amz-Expires"), "60");
    }
  } finally {
    await world.close();
  }
});

/** The STS host and signing region of an EKS token. */
function signedFor(token: string): string {
  const b64 = token.slice("k8s-aws-v1.".length).replaceAll("-", "+").replaceAll("_", "/");
  const url = new URL(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, "=")));
  const region = /\/(\d{8})\/([^/]+)\/sts\/aws4_request$/.exec(url.searchParams.get("X-Amz-Credential")!)
    ?.[2];
  return `${url.host} ${region}`;
}

const AWS_CLI = requirePeer("aws");

Deno.test({
  name: "eks-token: signs for the same STS host and region as `aws eks get-token` (the real AWS CLI)",
  ignore: !AWS_CLI,
  fn: async () => {
    const aws = AWS_CLI!;
    const world = await setUp();
    try {
      for (const profile of ["dev", "bare"]) expectCode(await world.run(["cred-process", profile]), 0);
      // The AWS CLI with static keys and a config of the same region (or none) as our profile.
      await Deno.writeTextFile(`${world.home}/aws-cli-west`, "[default]\nregion = us-west-2\n");
      await Deno.writeTextFile(`${world.home}/aws-cli-none`, "[default]\n");
      const theirs = async (config: string, env: Record<string, string>) => {
        const output = await new Deno.Command(aws, {
          args: ["eks", "get-token", "--cluster-name", "c"],
          env: {
            PATH: world.env.PATH!,
            HOME: world.home,
            AWS_CONFIG_FILE: `${world.home}/${config}`,
            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
            AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
            AWS_SECRET_ACCESS_KEY: "secret",
            ...env,
          },
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
        return signedFor(JSON.parse(new TextDecoder().decode(output.stdout)).status.token);
      };
      const ours = async (profile: string, env: Record<string, string>) => {
        const result = await world.run(["eks-token", profile, "-c", "c"], {
          env: { AWS_ENDPOINT_URL_STS: undefined, ...env },
        });
        expectCode(result, 0);
        return signedFor(JSON.parse(result.stdout).status.token);
      };
      const combos: Record<string, string>[] = [
        {},
        { AWS_STS_REGIONAL_ENDPOINTS: "regional" },
        { AWS_DEFAULT_REGION: "eu-west-1", AWS_STS_REGIONAL_ENDPOINTS: "regional" },
        { AWS_DEFAULT_REGION: "us-east-1" },
        { AWS_DEFAULT_REGION: "eu-west-1", AWS_STS_REGIONAL_ENDPOINTS: "legacy" },
      ];
      for (const [profile, config] of [["dev", "aws-cli-west"], ["bare", "aws-cli-none"]]) {
        for (const env of combos) {
          assert.equal(
            await ours(profile!, env),
            await theirs(config!, env),
            `${profile} ${JSON.stringify(env)}`,
          );
        }
      }
      // AWS_REGION, which the AWS CLI v2 and the SDKs read before AWS_DEFAULT_REGION (v1 reads only the latter).
      assert.equal(
        await ours("bare", { AWS_REGION: "eu-west-1", AWS_STS_REGIONAL_ENDPOINTS: "regional" }),
        "sts.eu-west-1.amazonaws.com eu-west-1",
      );
      assert.equal(
        await ours("dev", { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "ap-south-1" }),
        "sts.eu-west-1.amazonaws.com eu-west-1",
      );
    } finally {
      await world.close();
    }
  },
});

Deno.test("eks-token: bad input is one line and a non-zero exit, before any login", async () => {
  const world = await setUp();
  try {
    world.sim.reset();
    const cases: [string[], Record<string, string>, number, RegExp][] = [
      [
        ["eks-token", "dev"],
        {},
        2,
        /^aws-okta: missing --cluster-name\nUsage: aws-okta eks-token \[flags\] --cluster-name NAME <profile>$/m,
      ],
      [["eks-token", "dev", "--cluster-name", ""], {}, 2, /invalid cluster name ""/],
      [["eks-token", "nope", "--cluster-name", "c"], {}, 1, /profile "nope" not found/],
      [
        ["eks-token", "dev", "-c", "c"],
        { KUBERNETES_EXEC_INFO: '{"apiVersion":"x/v9"}' },
        1,
        /unsupported ExecCredential apiVersion "x\/v9"/,
      ],
    ];
    for (const [args, env, code, message] of cases) {
      const result = await world.run(args, { env });
      expectCode(result, code);
      assert.equal(result.stdout, "");
      assert.equal(
        result.stderr.split("\n").filter((l) => l.startsWith("aws-okta:")).length,
        1,
        result.stderr,
      );
      assert.match(result.stderr, message);
    }
    assert.deepEqual(world.sim.counts(), {});
  } finally {
    await world.close();
  }
});

/** A self-signed certificate for 127.0.0.1 (kubectl sends bearer tokens over TLS only). */
async function selfSigned(dir: string): Promise<{ cert: string; key: string }> {
  const output = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/cert.pem`,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, `openssl: ${new TextDecoder().decode(output.stderr)}`);
  return { cert: await Deno.readTextFile(`${dir}/cert.pem`), key: await Deno.readTextFile(`${dir}/key.pem`) };
}

Deno.test("eks-token: kubectl runs it as an exec plugin and the API server accepts the token", async () => {
  const world = await setUp();
  const tls = await selfSigned(world.home);
  const seen: { arn?: string; error?: string }[] = [];
  const api = Deno.serve({ hostname: "127.0.0.1", port: 0, ...tls, onListen() {} }, async (request) => {
    const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    const identity = bearer ? await verify(bearer, "prod", world.sim.stsUrl) : { error: "no token" };
    seen.push(identity);
    if (!identity.arn) {
      return Response.json({ kind: "Status", status: "Failure", code: 401 }, { status: 401 });
    }
    return Response.json({ major: "1", minor: "30", gitVersion: "v1.30.0", platform: "linux/amd64" });
  });
  try {
    const bin = await installLauncher(world);
    const kubeconfig = `${world.home}/kubeconfig`;
    await Deno.writeTextFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://127.0.0.1:${api.addr.port}
    insecure-skip-tls-verify: true
contexts:
- name: prod
  context: {cluster: prod, user: okta-dev}
current-context: prod
users:
- name: okta-dev
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws-okta
      args: [eks-token, dev, --cluster-name, prod]
      interactiveMode: Never
`,
    );
    const output = await new Deno.Command("kubectl", {
      args: ["--kubeconfig", kubeconfig, "get", "--raw", "/version"],
      env: envWithLauncher(world, bin),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, `kubectl: ${stderr}`);
    assertIncludes(new TextDecoder().decode(output.stdout), '"gitVersion":"v1.30.0"');
    assert.ok(seen.length > 0);
    for (const identity of seen) {
      assert.deepEqual(identity, {
        arn: "arn:aws:sts::123456789012:assumed-role/Engineer/alice@example.com",
      });
    }
  } finally {
    await api.shutdown();
    await world.close();
  }
});
