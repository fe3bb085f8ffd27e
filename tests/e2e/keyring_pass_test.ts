/**
 * The pass backend end to end: the real CLI against a real password store with a throwaway,
 * passphrase-less gpg key, including entries Go aws-okta wrote and picking pass automatically.
 */

import assert from "node:assert/strict";
import { skipWithout } from "../peers.ts";
import { createPassStore, runTool, type TestPassStore } from "../../src/keyring/test_support.ts";
import { assertIncludes, createWorld, expectCode, samlUrlOf, type World } from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const havePass = Deno.build.os !== "windows" && !skipWithout(["pass", "gpg"]);

async function setUp(store: TestPassStore, backend: string | undefined = "pass"): Promise<World> {
  const world = await createWorld();
  await world.writeConfig(
    `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n\n[profile dev]\nokta_aws_role_arn = ${ENGINEER}\n`,
  );
  if (backend) world.env.AWS_OKTA_BACKEND = backend;
  else delete world.env.AWS_OKTA_BACKEND;
  world.env.PASSWORD_STORE_DIR = store.storeDir;
  world.env.GNUPGHOME = store.gnupgHome;
  delete world.env.AWS_OKTA_FILE_PASSPHRASE;
  return world;
}

function pass(store: TestPassStore, args: string[], stdin?: string): Promise<string> {
  return runTool("pass", args, stdin === undefined ? { env: store.env } : { env: store.env, stdin });
}

/** The Okta credentials inside a pass entry holding a Go keyring item. */
function credentialsIn(entry: string): Record<string, string> {
  const item = JSON.parse(entry);
  assert.equal(typeof item.Key, "string");
  return JSON.parse(new TextDecoder().decode(Uint8Array.fromBase64(item.Data)));
}

Deno.test({
  name: "pass: add, cred-process and exec work against a real password store",
  ignore: !havePass,
  async fn() {
    const store = await createPassStore();
    const world = await setUp(store);
    try {
      expectCode(await world.add(), 0);
      await assert.rejects(Deno.stat(`${world.home}/.aws-okta`), Deno.errors.NotFound);
      // The entry holds the Go keyring item where Go aws-okta's pass backend keeps it.
      const entry = await pass(store, ["show", "okta-creds"]);
      assert.equal(JSON.parse(entry).Label, "okta credentials");
      assert.equal(credentialsIn(entry).Username, world.sim.state.users[0]!.login);

      const first = await world.run(["cred-process", "dev"]);
      expectCode(first, 0);
      assert.equal(JSON.parse(first.stdout).Version, 1);
      const second = await world.run(["cred-process", "dev"]);
      expectCode(second, 0);
      assert.equal(JSON.parse(second.stdout).AccessKeyId, JSON.parse(first.stdout).AccessKeyId);
      assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
      const entries = await pass(store, ["ls"]);
      assertIncludes(entries, "okta-creds");
      assert.equal(
        JSON.parse(await pass(store, ["show", "okta-device-token-cookie"])).Label,
        "okta device token",
      );
      assertIncludes(entries, "dev session (");

      const exec = await world.run(["exec", "dev", "--", "sh", "-c", 'echo "$AWS_ACCESS_KEY_ID"']);
      expectCode(exec, 0);
      assert.equal(exec.stdout.trim(), JSON.parse(first.stdout).AccessKeyId);
    } finally {
      await world.close();
      await store.close();
    }
  },
});

Deno.test({
  name: "pass: credentials Go aws-okta stored (no prefix) are used, and pass is picked automatically",
  ignore: !havePass,
  async fn() {
    const store = await createPassStore();
    const world = await setUp(store, undefined);
    try {
      const user = world.sim.state.users[0]!;
      const creds = JSON.stringify({
        Organization: "",
        Username: user.login,
        Password: user.password,
        Domain: world.sim.url,
      });
      const goItem = JSON.stringify({
        Key: "okta-creds",
        Data: btoa(creds),
        Label: "okta credentials",
        Description: "",
        KeychainNotTrustApplication: false,
        KeychainNotSynchronizable: false,
      });
      await pass(store, ["insert", "-m", "-f", "okta-creds"], goItem);

      const listing = await world.run(["backends"]);
      expectCode(listing, 0);
      assert.match(listing.stdout, /^\* pass\s+yes\s+password store /m);

      const result = await world.run(["cred-process", "dev"]);
      expectCode(result, 0);
      assert.equal(JSON.parse(result.stdout).Version, 1);
      assert.equal(world.sim.count("POST /api/v1/authn"), 1);
      // New items go where Go keeps them; Go's entry is left alone.
      assertIncludes(await pass(store, ["ls"]), "dev session (");
      assert.equal(await pass(store, ["show", "okta-creds"]), goItem);
      await assert.rejects(Deno.stat(`${world.home}/.aws-okta`), Deno.errors.NotFound);
    } finally {
      await world.close();
      await store.close();
    }
  },
});

Deno.test({
  name: "pass: credentials an earlier version stored under aws-okta/ still work; new items go to the top",
  ignore: !havePass,
  async fn() {
    const store = await createPassStore();
    const world = await setUp(store);
    try {
      expectCode(await world.add(), 0);
      // Move what add wrote to where earlier versions kept it.
      for (const name of ["okta-creds", "okta-session-cookie", "okta-device-token-cookie"]) {
        const entry = await pass(store, ["show", name]);
        await pass(store, ["insert", "-m", "-f", `aws-okta/${name}`], entry);
        await pass(store, ["rm", "-f", name]);
      }
      const logins = world.sim.count("POST /api/v1/authn");
      const result = await world.run(["cred-process", "dev"]);
      expectCode(result, 0);
      assert.equal(JSON.parse(result.stdout).Version, 1);
      // The Okta session cookie under aws-okta/ was used (no new password login); the new
      // session went to the top of the store.
      assert.equal(world.sim.count("POST /api/v1/authn"), logins);
      assert.match(await pass(store, ["ls"]), /dev session \(/);
    } finally {
      await world.close();
      await store.close();
    }
  },
});

Deno.test({
  name: "pass chosen without a store is a clear error",
  ignore: Deno.build.os === "windows" || !havePass, // pass is a POSIX shell script
  async fn() {
    const world = await createWorld();
    try {
      await world.writeConfig(
        `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n\n[profile dev]\nokta_aws_role_arn = ${ENGINEER}\n`,
      );
      const result = await world.run(["cred-process", "dev"], {
        env: { AWS_OKTA_BACKEND: "pass", PASSWORD_STORE_DIR: `${world.home}/no-store` },
      });
      expectCode(result, 1);
      assert.equal(
        result.stderr.trim(),
        `aws-okta: pass keyring unavailable: no password store in "${world.home}/no-store"; ` +
          `run "pass init <gpg-id>" or set PASSWORD_STORE_DIR`,
      );
    } finally {
      await world.close();
    }
  },
});
