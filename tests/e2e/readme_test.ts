/**
 * The README's tested examples, run as written: every fenced block right after a
 * `<!-- doc-test: <scenario> -->` line is run (`sh` blocks with bash, `-e -o pipefail`; `ini`
 * blocks become ~/.aws/config) in a world for that scenario, in README order.
 *
 * The examples name an org that does not exist here, so a few placeholders are pointed at local
 * stand-ins before running: the Okta domain `acme.okta.com` at the simulator, the proxy
 * `proxy.corp.example:3128` at a CONNECT proxy on loopback, and the CA file
 * `/etc/ssl/certs/corp-root-ca.pem` at a test CA. Everything else runs verbatim, with `aws-okta`
 * on PATH and the secrets the examples read from the environment ($OKTA_PASSWORD,
 * $KEYRING_PASSPHRASE) set as a CI runner would set them.
 */

import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { DEMO_M2M_CLIENT_ID, idx } from "../sim/idx_state.ts";
import { type Simulator, startSimulator } from "../sim/simulator.ts";
import { createWorld, expectCode, PASSPHRASE, type World } from "./harness.ts";
import { installLauncher } from "./launcher.ts";
import { connectProxy, makeTestCertificates, type TestCertificates, type TestProxy } from "./tls_support.ts";

const ROOT = new URL("../../", import.meta.url);
const KEYS = fileURLToPath(new URL("../fixtures/keys/", import.meta.url));

/** One tested block. */
interface Example {
  scenario: string;
  language: string;
  code: string;
  /** 1-based line of the fence, for messages. */
  line: number;
}

/** The tested blocks of the README, in order. */
export function examples(readme: string): Example[] {
  const found: Example[] = [];
  const pattern = /^<!-- doc-test: ([\w-]+) -->\n+```(\w+)\n([\s\S]*?)^```$/gm;
  for (const match of readme.matchAll(pattern)) {
    found.push({
      scenario: match[1]!,
      language: match[2]!,
      code: match[3]!,
      line: readme.slice(0, match.index).split("\n").length + 1,
    });
  }
  return found;
}

/** What one scenario runs in. */
interface Stage {
  world: World;
  /** Placeholder → local stand-in. */
  replacements: [string, string][];
  env: Record<string, string>;
  /** Extra checks after the scenario's blocks ran. */
  after?: () => void;
  close(): Promise<void>;
}

async function stage(scenario: string): Promise<Stage> {
  let certs: TestCertificates | undefined;
  let tlsSim: Simulator | undefined;
  let proxy: TestProxy | undefined;
  if (scenario === "proxy") {
    const dir = await Deno.makeTempDir({ prefix: "aws-okta-doc-ca-" });
    certs = await makeTestCertificates(dir);
    tlsSim = await startSimulator({ tls: certs });
    proxy = connectProxy();
  }
  const world = await createWorld(tlsSim ? { sim: tlsSim } : {});
  const bin = await installLauncher(world);
  // okta-aws-cli: the link make install puts beside the launcher, or the sources told their name.
  await installLauncher(world, "okta-aws-cli");
  const user = world.sim.state.users[0]!;
  const env: Record<string, string> = {
    PATH: `${bin}:${world.env.PATH}`,
    OKTA_PASSWORD: user.password,
    KEYRING_PASSPHRASE: PASSPHRASE,
  };
  const replacements: [string, string][] = [["acme.okta.com", world.sim.url]];
  if (scenario === "ci") {
    // The m2m example's key pair: the private key in the working directory, the public one in Okta.
    await Deno.copyFile(`${KEYS}rsa_pkcs1.pem`, `${world.home}/ci-key.pem`);
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
  }
  if (scenario === "aws-okta" || scenario === "proxy") {
    // What a segmentio aws-okta user already has: Okta credentials and a session in the keyring.
    const added = await world.run(["add", "--domain", world.sim.url, "--username", user.login], {
      stdin: `${user.password}\n`,
      ...(certs ? { env: { AWS_CA_BUNDLE: certs.caFile } } : {}),
    });
    expectCode(added, 0);
  }
  if (scenario === "proxy") {
    // The proxy example uses the profile the other sections set up.
    await world.writeConfig(
      "[okta]\naws_saml_url = home/amazon_aws/0oa1abcdEFGH2345/272\n\n" +
        "[profile okta-dev]\nokta_aws_role_arn = arn:aws:iam::123456789012:role/Engineer\n",
    );
  }
  if (certs && proxy) {
    replacements.push(["http://proxy.corp.example:3128", proxy.url]);
    replacements.push(["/etc/ssl/certs/corp-root-ca.pem", certs.caFile]);
  }
  return {
    world,
    replacements,
    env,
    ...(proxy
      ? {
        after: () => {
          const port = new URL(world.sim.url).port;
          assert.ok(
            proxy!.targets.includes(`127.0.0.1:${port}`),
            `went through the proxy: ${proxy!.targets}`,
          );
        },
      }
      : {}),
    async close() {
      await world.close();
      await proxy?.close();
      await tlsSim?.close();
      if (certs) await Deno.remove(certs.caFile.replace(/\/ca\.pem$/, ""), { recursive: true });
    },
  };
}

const readme = await Deno.readTextFile(new URL("README.md", ROOT));
const all = examples(readme);
const scenarios = [...new Set(all.map((example) => example.scenario))];

Deno.test("README: the tested examples are there", () => {
  assert.deepEqual(scenarios.sort(), ["aws-okta", "ci", "okta-aws-cli", "proxy"].sort());
});

for (const scenario of scenarios) {
  Deno.test(`README: the "${scenario}" examples run as written`, async () => {
    const current = await stage(scenario);
    try {
      for (const example of all.filter((e) => e.scenario === scenario)) {
        let code = example.code;
        for (const [placeholder, local] of current.replacements) code = code.replaceAll(placeholder, local);
        if (example.language === "ini") {
          await current.world.writeConfig(code);
          continue;
        }
        assert.equal(example.language, "sh", `README line ${example.line}: sh or ini`);
        const output = await new Deno.Command("bash", {
          args: ["-e", "-o", "pipefail", "-c", code],
          env: { ...current.world.env, ...current.env },
          clearEnv: true,
          cwd: current.world.home,
          stdin: "null",
        }).output();
        const decoder = new TextDecoder();
        assert.equal(
          output.code,
          0,
          `README line ${example.line} failed (exit ${output.code}):\n${code}\n--- stdout ---\n` +
            `${decoder.decode(output.stdout)}\n--- stderr ---\n${decoder.decode(output.stderr)}`,
        );
      }
      // The examples really reached Okta and STS (a block of no-ops would pass the exit-code check).
      const sts = Object.entries(current.world.sim.counts()).filter(([key]) => key.startsWith("sts:"));
      assert.ok(
        sts.some(([, count]) => count > 0),
        `STS was called: ${JSON.stringify(current.world.sim.counts())}`,
      );
      current.after?.();
    } finally {
      await current.close();
    }
  });
}
