/**
 * `aws-okta m2m` end to end: private key JWT client credentials against the simulated custom
 * authorization server (which checks the signature with the registered public key), then
 * AssumeRoleWithWebIdentity against the simulated STS (which accepts only tokens it issued) and
 * against moto_server.
 */

import assert from "node:assert/strict";
import { requirePeer, startMoto } from "../peers.ts";
import { DEMO_M2M_CLIENT_ID, idx } from "../sim/idx_state.ts";
import { assertIncludes, createWorld, expectCode, type World } from "./harness.ts";

const KEYS = new URL("../fixtures/keys/", import.meta.url).pathname;
const ROLE = "arn:aws:iam::123456789012:role/Deployer";

async function publicJwk(
  file: string,
  params: RsaHashedImportParams | EcKeyImportParams,
): Promise<JsonWebKey> {
  const pem = await Deno.readTextFile(`${KEYS}${file}`);
  const der = Uint8Array.fromBase64(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""));
  const key = await crypto.subtle.importKey("spki", der as Uint8Array<ArrayBuffer>, params, true, ["verify"]);
  return await crypto.subtle.exportKey("jwk", key);
}

async function m2mWorld(
  publicFile: string,
  params: RsaHashedImportParams | EcKeyImportParams,
): Promise<World> {
  const world = await createWorld();
  idx(world.sim.state).clients.push({
    clientId: DEMO_M2M_CLIENT_ID,
    publicJwk: { ...await publicJwk(publicFile, params), kid: "kid-1" },
  });
  return world;
}

function args(world: World, ...extra: string[]): string[] {
  return ["m2m", "-o", world.sim.url, "-c", DEMO_M2M_CLIENT_ID, "-i", "kid-1", "-r", ROLE, ...extra];
}

Deno.test("m2m: RS256 PKCS#1 key file, process-credentials from AssumeRoleWithWebIdentity", async () => {
  const world = await m2mWorld("rsa_public.pem", { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" });
  try {
    const run = await world.run(
      args(world, "--private-key-file", `${KEYS}rsa_pkcs1.pem`, "-f", "process-credentials"),
    );
    expectCode(run, 0);
    const json = JSON.parse(run.stdout);
    const issued = world.sim.state.credentials.get(json.AccessKeyId)!;
    assert.equal(issued.action, "AssumeRoleWithWebIdentity");
    assert.equal(issued.roleArn, ROLE);
    assert.equal(issued.roleSessionName, "okta-aws-cli");
    assert.equal(issued.subject, DEMO_M2M_CLIENT_ID);
    assert.equal(world.sim.count("m2m:issued"), 1);
    assert.equal(world.sim.count("POST /oauth2/:as/v1/token"), 1);
  } finally {
    await world.close();
  }
});

Deno.test("m2m as okta-aws-cli: -b is the key file, -e accepted, -y's User-Agent and the operation header", async () => {
  const world = await m2mWorld("rsa_public.pem", { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" });
  try {
    // The name the launcher passes: the sources run as okta-aws-cli.
    const env = { AWS_OKTA_ARGV0: "/usr/local/bin/okta-aws-cli" };
    const run = await world.run(args(world, "-b", `${KEYS}rsa_pkcs1.pem`, "-e", "-y", "-f", "env-var"), {
      env,
    });
    expectCode(run, 0);
    const id = /^export AWS_ACCESS_KEY_ID=(\S+)\n/.exec(run.stdout)?.[1];
    assert.equal(world.sim.state.credentials.get(id ?? "")?.action, "AssumeRoleWithWebIdentity");
    const token = world.sim.state.requests.find((request) => request.path.endsWith("/v1/token"));
    assert.equal(token?.userAgent, "okta-aws-cli");
    assert.equal(token?.oktaAwsCliOperation, "m2m");
    // The variable is not passed on: an --exec child that runs aws-okta gets aws-okta.
    const child = await world.run(
      args(world, "-b", `${KEYS}rsa_pkcs1.pem`, "-j", "--", "sh", "-c", 'test -z "$AWS_OKTA_ARGV0"'),
      { env },
    );
    expectCode(child, 0);
  } finally {
    await world.close();
  }
});

Deno.test("m2m: ES256 SEC1 key in OKTA_AWSCLI_PRIVATE_KEY, custom server, scope and session name", async () => {
  const world = await m2mWorld("ec_p256_public.pem", { name: "ECDSA", namedCurve: "P-256" });
  try {
    idx(world.sim.state).authorizationServers.set("aus1ci", ["aws.deploy"]);
    const pem = (await Deno.readTextFile(`${KEYS}ec_p256_sec1.pem`)).trim().replace(/\n/g, "\\n");
    const run = await world.run(
      ["m2m", "-o", world.sim.url, "-c", DEMO_M2M_CLIENT_ID, "-i", "kid-1", "-r", ROLE, "-z", "-p", "ci"],
      {
        env: {
          OKTA_AWSCLI_PRIVATE_KEY: pem,
          OKTA_AWSCLI_AUTHZ_ID: "aus1ci",
          OKTA_AWSCLI_CUSTOM_SCOPE: "aws.deploy",
          OKTA_AWSCLI_STS_ROLE_SESSION_NAME: "ci-job-7",
        },
      },
    );
    expectCode(run, 0);
    const file = await Deno.readTextFile(`${world.home}/.aws/credentials`);
    assert.match(file, /^\[ci\]\naws_access_key_id = ASIA/m);
    const issued = [...world.sim.state.credentials.values()][0]!;
    assert.equal(issued.roleSessionName, "ci-job-7");
  } finally {
    await world.close();
  }
});

Deno.test("m2m: a key Okta does not know, a wrong scope, and a missing key say what to fix", async () => {
  const world = await m2mWorld("rsa_public.pem", { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" });
  try {
    const wrongKey = await world.run(args(world, "--private-key-file", `${KEYS}ec_p384_pkcs8.pem`));
    expectCode(wrongKey, 1);
    assertIncludes(wrongKey.stderr, `Okta refused client credentials for "${DEMO_M2M_CLIENT_ID}"`);
    assertIncludes(wrongKey.stderr, "public key matches the private key");
    assert.equal(wrongKey.stdout, "");

    const wrongScope = await world.run(
      args(world, "--private-key-file", `${KEYS}rsa_pkcs8.pem`, "-m", "nope"),
    );
    expectCode(wrongScope, 1);
    assertIncludes(wrongScope.stderr, "--custom-scope");

    const noKey = await world.run(args(world));
    expectCode(noKey, 2);
    assertIncludes(noKey.stderr, "missing --private-key-file or --private-key");
    assert.equal(world.sim.count("sts:AssumeRoleWithWebIdentity"), 0);
  } finally {
    await world.close();
  }
});

Deno.test("m2m --exec passes the child's exit code and the credentials", async () => {
  const world = await m2mWorld("rsa_public.pem", { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" });
  try {
    const run = await world.run([
      ...args(world, "--private-key-file", `${KEYS}rsa_pkcs8.pem`, "--exec", "--"),
      "sh",
      "-c",
      'test -n "$AWS_SESSION_TOKEN" && exit 9',
    ]);
    assert.equal(run.code, 9, run.stderr);
  } finally {
    await world.close();
  }
});

const MOTO = requirePeer("moto_server", "pip install 'moto[server]'");

Deno.test({
  name: "m2m against moto_server's AssumeRoleWithWebIdentity",
  ignore: !MOTO,
  fn: async () => {
    const world = await m2mWorld("rsa_public.pem", { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" });
    const moto = await startMoto(MOTO!);
    try {
      const run = await world.run(
        args(world, "--private-key-file", `${KEYS}rsa_pkcs1.pem`, "-f", "process-credentials"),
        { env: { AWS_ENDPOINT_URL_STS: moto.url } },
      );
      expectCode(run, 0);
      const json = JSON.parse(run.stdout);
      assert.match(json.AccessKeyId, /^ASIA/);
      assert.ok(Date.parse(json.Expiration) > Date.now());
      assert.equal(world.sim.count("sts:AssumeRoleWithWebIdentity"), 0, "moto answered, not the simulator");
    } finally {
      await moto.close();
      await world.close();
    }
  },
});
