/**
 * Security keys end to end: the real CLI verifies Okta's `webauthn` and `u2f` factors with the
 * software authenticator (AWS_OKTA_FIDO_SOFTWARE_KEY) against the simulator, which checks the ES256
 * signature over the real WebAuthn/U2F structures. stdout carries the JSON and nothing else.
 */

import assert from "node:assert/strict";
import { generateSoftwareKey } from "../../src/fido/software_key.ts";
import { fidoFactor } from "../sim/okta_webauthn.ts";
import { assertIncludes, createWorld, expectCode, forgetDevices, samlUrlOf, type World } from "./harness.ts";
import { installedLauncher, runInstalled } from "./installed.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";

/** A cold world whose user has one security key factor, and the key file that signs for it. */
async function keyWorld(
  factorType: "webauthn" | "u2f",
  userVerification?: "required",
): Promise<{ world: World; keyFile: string }> {
  const world = await createWorld();
  const pair = await generateSoftwareKey();
  const keyFile = `${world.home}/security-key.jwk`;
  await Deno.writeTextFile(keyFile, JSON.stringify(pair.privateJwk));
  world.sim.state.users[0]!.factors = [
    fidoFactor("fwfKEY0000000001", factorType, {
      credentialId: pair.credentialId,
      publicKey: pair.publicJwk,
      ...(userVerification ? { userVerification } : {}),
    }),
  ];
  await world.writeConfig(
    `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n\n[profile dev]\nokta_aws_role_arn = ${ENGINEER}\n`,
  );
  expectCode(
    await world.run(["add", "--domain", world.sim.url, "--username", world.sim.state.users[0]!.login], {
      stdin: `${world.sim.state.users[0]!.password}\n`,
      env: { AWS_OKTA_FIDO_SOFTWARE_KEY: keyFile },
    }),
    0,
  );
  world.sim.reset();
  forgetDevices(world.sim);
  return { world, keyFile };
}

function assertOnlyJson(stdout: string): void {
  const parsed = JSON.parse(stdout);
  assert.equal(stdout, JSON.stringify(parsed) + "\n");
  assert.match(parsed.AccessKeyId, /^ASIA/);
}

Deno.test("cred-process with a WebAuthn security key (software authenticator): JSON only on stdout", async () => {
  const { world, keyFile } = await keyWorld("webauthn", "required");
  try {
    const run = await world.run(["cred-process", "dev"], { env: { AWS_OKTA_FIDO_SOFTWARE_KEY: keyFile } });
    expectCode(run, 0);
    assertOnlyJson(run.stdout);
    assertIncludes(run.stderr, `Using the software security key "${keyFile}"`);
    assert.equal(world.sim.count("fido:challenge"), 1);
    assert.equal(world.sim.count("fido:verified"), 1);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
  } finally {
    await world.close();
  }
});

Deno.test("cred-process with a U2F factor through the same authenticator", async () => {
  const { world, keyFile } = await keyWorld("u2f");
  try {
    const run = await world.run(["cred-process", "dev"], { env: { AWS_OKTA_FIDO_SOFTWARE_KEY: keyFile } });
    expectCode(run, 0);
    assertOnlyJson(run.stdout);
    assert.equal(world.sim.count("fido:verified"), 1);
  } finally {
    await world.close();
  }
});

Deno.test("without a key file the USB path is taken: a missing libfido2 is one clear line", async () => {
  const { world } = await keyWorld("webauthn");
  try {
    const run = await world.run(["cred-process", "dev"], {
      env: { AWS_OKTA_LIBFIDO2: "/nonexistent/libfido2.so.1" },
    });
    expectCode(run, 1);
    assert.equal(run.stdout, "");
    assertIncludes(
      run.stderr,
      'cannot load libfido2 ("/nonexistent/libfido2.so.1"), which security keys need; check AWS_OKTA_LIBFIDO2',
    );
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  } finally {
    await world.close();
  }
});

Deno.test("the installed aws-okta has no software key: the test hook fails with one line, no signature", async () => {
  const { world, keyFile } = await keyWorld("webauthn");
  try {
    const lib = new URL("../lib/aws-okta/dist", `file://${await installedLauncher()}`).pathname;
    // Every file of the bundle, the npm packages' bundles in dist/npm/ included.
    const files = [...Deno.readDirSync(lib)].flatMap((entry) =>
      entry.isDirectory
        ? [...Deno.readDirSync(`${lib}/${entry.name}`)].map((inner) => `${lib}/${entry.name}/${inner.name}`)
        : [`${lib}/${entry.name}`]
    );
    assert.ok(files.some((file) => file.includes("/npm/")), "the npm bundles are looked at too");
    for (const file of files) {
      assert.ok(!(await Deno.readTextFile(file)).includes("class SoftwareSecurityKey"), file);
    }
    const run = await runInstalled(world, ["cred-process", "dev"], { AWS_OKTA_FIDO_SOFTWARE_KEY: keyFile });
    expectCode(run, 1);
    assert.equal(run.stdout, "");
    assert.equal(
      run.stderr.trim(),
      "aws-okta: AWS_OKTA_FIDO_SOFTWARE_KEY is set, but this installed aws-okta has no software security key; " +
        "it is a test hook of the sources; unset AWS_OKTA_FIDO_SOFTWARE_KEY to use a USB security key",
    );
    assert.equal(world.sim.count("fido:verified"), 0);
  } finally {
    await world.close();
  }
});
