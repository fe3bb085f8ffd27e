/**
 * Secret redaction end to end: every flow runs with `--debug` against the simulators, and stdout
 * and stderr are scanned for every secret involved: the Okta password, the file passphrase, Okta
 * session ids, session and state tokens, device tokens, the SAML assertion, OIDC tokens and device
 * codes, console sign-in tokens, and the AWS secret keys and session tokens. Zero hits.
 *
 * The secrets are collected from the simulator as it hands them out (its maps are watched), so
 * one-time values that are gone by the end of the run (redeemed session tokens, finished
 * transactions) are scanned for too. stdout is scanned for every command whose output is not
 * credentials; stderr always.
 */

import assert from "node:assert/strict";
import { generateSoftwareKey } from "../../src/fido/software_key.ts";
import { federationState } from "../sim/federation.ts";
import { DEMO_CLIENT_ID, DEMO_M2M_CLIENT_ID, idx } from "../sim/idx_state.ts";
import { fidoFactor } from "../sim/okta_webauthn.ts";
import { encodeBase64 } from "../sim/saml.ts";
import type { SimState } from "../sim/state.ts";
import {
  assertIncludes,
  createWorld,
  expectCode,
  forgetDevices,
  PASSPHRASE,
  type RunOptions,
  type RunResult,
  samlUrlOf,
  type World,
} from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const ADMIN = "arn:aws:iam::123456789012:role/Admin";
const KEYS = new URL("../fixtures/keys/", import.meta.url).pathname;

/** Watches a map's or set's keys (and what `valuesOf` picks from its values) as they are added. */
function watch<K, V>(
  collection: Map<K, V> | Set<K>,
  into: Set<string>,
  valuesOf: (value: V) => (string | undefined)[] = () => [],
): void {
  const keep = (key: K, value?: V) => {
    if (typeof key === "string") into.add(key);
    if (value !== undefined) { for (const secret of valuesOf(value)) if (secret) into.add(secret); }
  };
  for (
    const [key, value] of collection instanceof Map ? collection : [...collection].map((k) => [k, undefined])
  ) {
    keep(key as K, value as V | undefined);
  }
  if (collection instanceof Map) {
    const set = collection.set.bind(collection);
    collection.set = (key: K, value: V) => {
      keep(key, value);
      return set(key, value);
    };
  } else {
    const add = collection.add.bind(collection);
    collection.add = (key: K) => {
      keep(key);
      return add(key);
    };
  }
}

/** Every secret the simulator hands out from now on, plus the ones it holds already. */
function watchSecrets(state: SimState): Set<string> {
  const secrets = new Set<string>([PASSPHRASE, ...state.users.map((u) => u.password)]);
  watch(state.sessions, secrets);
  watch(state.sessionTokens, secrets);
  watch(state.transactions, secrets);
  watch(state.devices, secrets);
  watch(state.assertions, secrets, (a) => {
    const base64 = encodeBase64(new TextEncoder().encode(a.xml));
    // Any 48 characters of the SAMLResponse (or of its XML) would be a leak; test a few windows.
    return [
      base64.slice(40, 88),
      base64.slice(base64.length / 2, base64.length / 2 + 48),
      a.xml.slice(60, 108),
    ];
  });
  watch(state.credentials, secrets, (c) => [c.secretAccessKey, c.sessionToken]);
  const oidc = idx(state);
  watch(oidc.deviceCodes, secrets);
  watch(oidc.accessTokens, secrets, (t) => [t.idToken]);
  watch(oidc.refreshTokens, secrets);
  watch(oidc.webSsoTokens, secrets);
  watch(oidc.issuedJwts, secrets);
  watch(federationState(state).tokens, secrets);
  return secrets;
}

/** One command's output and whether its stdout is credentials (then only stderr is scanned). */
interface Run {
  label: string;
  result: RunResult;
  stdoutHasCredentials: boolean;
}

/** A world whose runs are all recorded with `--debug` for the final scan. */
class DebugSession {
  readonly runs: Run[] = [];
  readonly secrets: Set<string>;
  constructor(readonly world: World) {
    this.secrets = watchSecrets(world.sim.state);
  }

  /** Runs `args` with `--debug` (after the command name), expecting `code`. */
  async run(
    args: string[],
    options: RunOptions & { code?: number; stdoutHasCredentials?: boolean; quiet?: boolean } = {},
  ): Promise<RunResult> {
    const { code = 0, stdoutHasCredentials = false, quiet = false, ...runOptions } = options;
    const withDebug = [args[0]!, "--debug", ...args.slice(1)];
    const result = await this.world.run(withDebug, runOptions);
    expectCode(result, code);
    if (!quiet) assertIncludes(result.stderr, "[debug]", `${args.join(" ")} writes debug lines`);
    this.runs.push({ label: args.join(" "), result, stdoutHasCredentials });
    return result;
  }

  /** Zero hits: no secret in any stderr, nor in any stdout that is not credentials. */
  check(minimumSecrets: number): void {
    const secrets = [...this.secrets].filter((s) => s.length >= 8);
    assert.ok(secrets.length >= minimumSecrets, `${secrets.length} secrets watched`);
    const hits: string[] = [];
    for (const { label, result, stdoutHasCredentials } of this.runs) {
      for (const secret of secrets) {
        if (result.stderr.includes(secret)) hits.push(`${label}: stderr has ${secret.slice(0, 6)}…`);
        if (!stdoutHasCredentials && result.stdout.includes(secret)) {
          hits.push(`${label}: stdout has ${secret.slice(0, 6)}…`);
        }
      }
    }
    assert.deepEqual(hits, [], "no secret in the output");
  }
}

function classicConfig(world: World): string {
  return `[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
okta_aws_role_arn = ${ENGINEER}
region = us-west-2

[profile admin]
source_profile = dev
role_arn = ${ADMIN}
`;
}

function cold(world: World): void {
  world.sim.reset();
  forgetDevices(world.sim);
}

Deno.test("redaction: classic flows with --debug (add, push, TOTP, cache, chain, exec, env, login, credentials file, EKS)", async () => {
  const world = await createWorld();
  const session = new DebugSession(world);
  try {
    await world.writeConfig(classicConfig(world));
    const user = world.sim.state.users[0]!;
    await session.run(["add", "--domain", world.sim.url, "--username", user.login], {
      stdin: `${user.password}\n`,
    });
    cold(world);
    await session.run(["cred-process", "dev"], { stdoutHasCredentials: true });
    await session.run(["cred-process", "dev"], { stdoutHasCredentials: true });
    await session.run(["cred-process", "admin"], { stdoutHasCredentials: true });
    await session.run(["cred-process", "--session-cache-single-item", "--refresh", "admin"], {
      stdoutHasCredentials: true,
    });

    user.factors = [{
      id: "ost1totpAAAAAAAAAAA1",
      factorType: "token:software:totp",
      provider: "GOOGLE",
      code: "424242",
    }];
    cold(world);
    await session.run(["cred-process", "--refresh", "dev"], {
      stdin: "424242\n",
      stdoutHasCredentials: true,
    });

    await session.run(["exec", "dev", "--", "sh", "-c", "exit 0"]);
    await session.run(["exec", "--refresh", "admin", "--", "sh", "-c", "exit 3"], { code: 3 });
    await session.run(["env", "admin"], { stdoutHasCredentials: true });
    await session.run(["login", "-s", "dev"], {
      env: { AWS_OKTA_FEDERATION_ENDPOINT: `${world.sim.url}/federation` },
      // The sign-in URL is a credential for 15 minutes.
      stdoutHasCredentials: true,
    });
    await session.run(["write-to-credentials", "--refresh", "dev", `${world.home}/.aws/credentials`]);
    await session.run(["eks-token", "dev", "--cluster-name", "prod"], { stdoutHasCredentials: true });
    // Commands with nothing to debug print no debug lines; they are scanned all the same.
    await session.run(["list"], { quiet: true });
    await session.run(["backends"], { quiet: true });

    // Failures print their cause chain with --debug: it must be as clean.
    cold(world);
    user.password = "changed in Okta";
    await session.run(["cred-process", "--refresh", "dev"], { code: 1 });
    world.sim.state.roles[ENGINEER] = { trusts: ["arn:aws:iam::123456789012:saml-provider/Other"] };
    await session.run(["cred-process", "--refresh", "dev"], {
      code: 1,
      env: { AWS_OKTA_FILE_PASSPHRASE: PASSPHRASE },
    });
    session.check(12);
  } finally {
    await world.close();
  }
});

Deno.test("redaction: failures with --debug (SAML that does not parse, Okta 500, STS throttled) show no secret", async () => {
  const world = await createWorld();
  const session = new DebugSession(world);
  try {
    await world.writeConfig(classicConfig(world));
    expectCode(await world.add(), 0);
    const xml =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Assertion>SECRET-ASSERTION-BODY`;
    const broken = encodeBase64(new TextEncoder().encode(xml));
    session.secrets.add(broken.slice(0, 40));
    session.secrets.add("SECRET-ASSERTION-BODY");
    world.sim.state.faults.push({
      match: "GET /home/amazon_aws/:app/:n",
      times: 1,
      status: 200,
      contentType: "text/html",
      body: `<form><input name="SAMLResponse" value="${broken}"></form>`,
    });
    const parse = await session.run(["cred-process", "--refresh", "dev"], { code: 1 });
    assertIncludes(parse.stderr, "not valid XML");
    world.sim.state.faults.push({ match: "GET /home/amazon_aws/:app/:n", status: 500, body: "down" });
    await session.run(["cred-process", "--refresh", "dev"], { code: 1 });
    world.sim.state.faults.length = 0;
    world.sim.state.faults.push({
      match: "sts:AssumeRoleWithSAML",
      status: 400,
      contentType: "text/xml",
      body:
        `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>` +
        `</Error><RequestId>r</RequestId></ErrorResponse>`,
    });
    await session.run(["cred-process", "--refresh", "dev"], { code: 1 });
    session.check(6);
  } finally {
    await world.close();
  }
});

Deno.test("redaction: Identity Engine with --debug (device flow, web, m2m)", async () => {
  const world = await createWorld();
  const session = new DebugSession(world);
  try {
    await world.writeConfig(`[profile idx]
okta_org_domain = ${world.sim.url}
okta_oidc_client_id = ${DEMO_CLIENT_ID}
okta_aws_role_arn = ${ENGINEER}
`);
    await session.run(["cred-process", "idx"], { stdoutHasCredentials: true });
    await session.run(["cred-process", "--refresh", "idx"], { stdoutHasCredentials: true });
    await session.run([
      "web",
      "--org-domain",
      world.sim.url,
      "--oidc-client-id",
      DEMO_CLIENT_ID,
      "--aws-iam-role",
      ENGINEER,
    ], {
      stdoutHasCredentials: true,
    });
    const pem = await Deno.readTextFile(`${KEYS}rsa_public.pem`);
    const der = Uint8Array.fromBase64(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""));
    const key = await crypto.subtle.importKey(
      "spki",
      der as Uint8Array<ArrayBuffer>,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      true,
      ["verify"],
    );
    idx(world.sim.state).clients.push({
      clientId: DEMO_M2M_CLIENT_ID,
      publicJwk: { ...await crypto.subtle.exportKey("jwk", key), kid: "kid-1" },
    });
    const privateKey = await Deno.readTextFile(`${KEYS}rsa_pkcs1.pem`);
    // The private key itself is a secret: its base64 body must never be printed.
    session.secrets.add(privateKey.split("\n")[5]!.trim());
    await session.run(
      [
        "m2m",
        "-o",
        world.sim.url,
        "-c",
        DEMO_M2M_CLIENT_ID,
        "-i",
        "kid-1",
        "-r",
        "arn:aws:iam::123456789012:role/Deployer",
        "--private-key-file",
        `${KEYS}rsa_pkcs1.pem`,
        "-f",
        "process-credentials",
      ],
      { stdoutHasCredentials: true },
    );
    session.check(10);
  } finally {
    await world.close();
  }
});

Deno.test("redaction: Duo and security keys with --debug", async () => {
  const world = await createWorld();
  const session = new DebugSession(world);
  try {
    await world.writeConfig(classicConfig(world));
    const user = world.sim.state.users[0]!;
    expectCode(await world.add(), 0);
    user.factors = [{ id: "dsfDUO0000000001", factorType: "web", provider: "DUO", code: "314159", duo: {} }];
    cold(world);
    await session.run(["cred-process", "--refresh", "dev"], { stdoutHasCredentials: true });
    await session.run(["cred-process", "--refresh", "--mfa-duo-device", "phone1:passcode", "admin"], {
      stdin: "314159\n",
      stdoutHasCredentials: true,
    });

    const pair = await generateSoftwareKey();
    const keyFile = `${world.home}/security-key.jwk`;
    await Deno.writeTextFile(keyFile, JSON.stringify(pair.privateJwk));
    session.secrets.add(String(pair.privateJwk.d));
    user.factors = [
      fidoFactor("fwfKEY0000000001", "webauthn", {
        credentialId: pair.credentialId,
        publicKey: pair.publicJwk,
      }),
    ];
    cold(world);
    await session.run(["cred-process", "--refresh", "dev"], {
      env: { AWS_OKTA_FIDO_SOFTWARE_KEY: keyFile },
      stdoutHasCredentials: true,
    });
    session.check(10);
  } finally {
    await world.close();
  }
});

Deno.test("redaction: exec --server with --debug shows neither the credentials nor the endpoint's token", async () => {
  const world = await createWorld();
  const session = new DebugSession(world);
  try {
    await world.writeConfig(classicConfig(world));
    expectCode(await world.add(), 0);
    const tokenFile = `${world.home}/token`;
    await session.run([
      "exec",
      "--server",
      "dev",
      "--",
      "sh",
      "-c",
      `printf %s "$AWS_CONTAINER_AUTHORIZATION_TOKEN" > ${tokenFile}; ` +
      `curl -s -H "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" "$AWS_CONTAINER_CREDENTIALS_FULL_URI" >/dev/null || true`,
    ]);
    const token = await Deno.readTextFile(tokenFile);
    assert.ok(token.length >= 16, "the child got a token");
    session.secrets.add(token);
    session.check(6);
  } finally {
    await world.close();
  }
});
