/**
 * The secret-service backend end to end: the real CLI (libsecret through FFI) against a real
 * gnome-keyring-daemon on a private D-Bus session bus, cross-checked both ways with secret-tool;
 * items Go aws-okta left in the "awsvault" collection; and a session bus that never answers.
 */

import assert from "node:assert/strict";
import { skipWithout } from "../peers.ts";
import {
  createGoLibsecretItem,
  runTool,
  startHungBus,
  startSecretService,
  type TestSecretService,
} from "../../src/keyring/test_support.ts";
import { assertIncludes, createWorld, expectCode, samlUrlOf, type World } from "./harness.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const haveDaemon = Deno.build.os === "linux" &&
  !skipWithout(["dbus-daemon", "gnome-keyring-daemon", "secret-tool"]);

async function setUpWorld(svc: TestSecretService): Promise<World> {
  const world = await createWorld();
  await world.writeConfig(
    `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n\n[profile dev]\nokta_aws_role_arn = ${ENGINEER}\n`,
  );
  world.env.AWS_OKTA_BACKEND = "secret-service";
  world.env.DBUS_SESSION_BUS_ADDRESS = svc.address;
  // No file passphrase: a fall back to the file backend would fail loudly.
  delete world.env.AWS_OKTA_FILE_PASSPHRASE;
  return world;
}

function secretTool(svc: TestSecretService, args: string[], stdin?: string): Promise<string> {
  return runTool("secret-tool", args, stdin === undefined ? { env: svc.env } : { env: svc.env, stdin });
}

function credentialsJson(world: World): string {
  const user = world.sim.state.users[0]!;
  return JSON.stringify({
    Organization: "",
    Username: user.login,
    Password: user.password,
    Domain: world.sim.url,
  });
}

function assertCredentialProcessJson(stdout: string): void {
  const json = JSON.parse(stdout);
  assert.equal(json.Version, 1);
  assert.match(json.AccessKeyId, /^ASIA/);
}

Deno.test({
  name:
    "secret-service: add, cred-process and exec work against gnome-keyring, and secret-tool reads our items",
  ignore: !haveDaemon,
  async fn() {
    const svc = await startSecretService();
    const world = await setUpWorld(svc);
    try {
      expectCode(await world.add(), 0);
      await assert.rejects(Deno.stat(`${world.home}/.aws-okta`), Deno.errors.NotFound);

      // Written by aws-okta, read by secret-tool: the secret is the credentials JSON itself.
      const stored = JSON.parse(
        await secretTool(svc, ["lookup", "service", "aws-okta-login", "key", "okta-creds"]),
      );
      assert.equal(stored.Username, world.sim.state.users[0]!.login);
      const listing = await secretTool(svc, [
        "search",
        "--all",
        "service",
        "aws-okta-login",
        "key",
        "okta-creds",
      ]);
      assertIncludes(listing, "label = aws-okta: okta credentials");

      const first = await world.run(["cred-process", "dev"]);
      expectCode(first, 0);
      assertCredentialProcessJson(first.stdout);
      assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
      // The second call is a cache hit, served from the Secret Service.
      const second = await world.run(["cred-process", "dev"]);
      expectCode(second, 0);
      assert.equal(JSON.parse(second.stdout).AccessKeyId, JSON.parse(first.stdout).AccessKeyId);
      assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
      // With no backend named, the probe picks the Secret Service and the read reuses its connection.
      const picked = await world.run(["cred-process", "dev"], { env: { AWS_OKTA_BACKEND: undefined } });
      expectCode(picked, 0);
      assert.equal(JSON.parse(picked.stdout).AccessKeyId, JSON.parse(first.stdout).AccessKeyId);
      assertIncludes(
        await secretTool(svc, ["search", "--all", "service", "aws-okta-login"]),
        "label = aws-okta: aws session for dev",
      );

      const exec = await world.run(["exec", "dev", "--", "sh", "-c", 'echo "$AWS_ACCESS_KEY_ID"']);
      expectCode(exec, 0);
      assert.equal(exec.stdout.trim(), JSON.parse(first.stdout).AccessKeyId);
      await assert.rejects(Deno.stat(`${world.home}/.aws-okta`), Deno.errors.NotFound);
    } finally {
      await world.close();
      await svc.close();
    }
  },
});

Deno.test({
  name: "secret-service: credentials stored with secret-tool are used by aws-okta",
  ignore: !haveDaemon,
  async fn() {
    const svc = await startSecretService();
    const world = await setUpWorld(svc);
    try {
      await secretTool(
        svc,
        ["store", "--label=typed by hand", "service", "aws-okta-login", "key", "okta-creds"],
        credentialsJson(world),
      );
      const result = await world.run(["cred-process", "dev"]);
      expectCode(result, 0);
      assertCredentialProcessJson(result.stdout);
      assert.equal(world.sim.count("POST /api/v1/authn"), 1);
    } finally {
      await world.close();
      await svc.close();
    }
  },
});

Deno.test({
  name: "secret-service: with Go's awsvault collection, its items are read and ours are written there",
  ignore: !haveDaemon,
  async fn() {
    const fixture = await Deno.readTextFile(new URL("../fixtures/keyring/awsvault.keyring", import.meta.url));
    const svc = await startSecretService({ keyrings: { "awsvault.keyring": fixture } });
    const world = await setUpWorld(svc);
    try {
      const creds = new TextEncoder().encode(credentialsJson(world));
      await createGoLibsecretItem(svc.address, "okta-creds", creds, "okta credentials");
      // Go's item, as secret-tool sees it: the whole Go item JSON under attribute "profile".
      assert.match(
        await secretTool(svc, ["lookup", "profile", "okta-creds"]),
        /^\{"Key":"okta-creds","Data":"/,
      );

      const result = await world.run(["cred-process", "dev"]);
      expectCode(result, 0);
      assertCredentialProcessJson(result.stdout);
      // The awsvault collection exists, so what we stored went there in Go's layout (label = key,
      // attribute profile = key, the Go item JSON), not to the default collection.
      assert.equal(
        await secretTool(svc, ["search", "--all", "service", "aws-okta-login"]).catch(() => ""),
        "",
      );
      const cookie = JSON.parse(await secretTool(svc, ["lookup", "profile", "okta-session-cookie"]));
      assert.equal(cookie.Key, "okta-session-cookie");
      assert.equal(cookie.Label, "okta session cookie");
      assertIncludes(
        await secretTool(svc, ["search", "--all", "profile", "okta-session-cookie"]),
        "label = okta-session-cookie",
      );
      assert.match(await secretTool(svc, ["lookup", "profile", "okta-creds"]), /^\{"Key":"okta-creds"/);
      // The cached session is read back from there: the second call is a cache hit.
      const again = await world.run(["cred-process", "dev"]);
      expectCode(again, 0);
      assert.equal(JSON.parse(again.stdout).AccessKeyId, JSON.parse(result.stdout).AccessKeyId);
      assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    } finally {
      await world.close();
      await svc.close();
    }
  },
});

Deno.test({
  name: "a hung or missing D-Bus fails fast with a message naming --backend file",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const hung = await startHungBus();
    const world = await createWorld();
    try {
      await world.writeConfig(
        `[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n\n[profile dev]\nokta_aws_role_arn = ${ENGINEER}\n`,
      );
      const hungEnv = { DBUS_SESSION_BUS_ADDRESS: hung.address, AWS_OKTA_DBUS_TIMEOUT_MS: "500" };
      // Chosen explicitly, and picked automatically (secret-service comes before file in the order).
      for (const backend of ["secret-service", undefined]) {
        const result = await world.run(["cred-process", "dev"], {
          env: { ...hungEnv, AWS_OKTA_BACKEND: backend },
        });
        expectCode(result, 1);
        assert.equal(result.stdout, "");
        assertIncludes(result.stderr, `D-Bus session bus "${hung.address}" did not answer within 500 ms`);
        assertIncludes(result.stderr, "--backend file");
        assert.equal(result.stderr.trim().split("\n").length, 1);
      }
      assert.ok(hung.accepted() >= 2);

      const listing = await world.run(["backends"], { env: { ...hungEnv, AWS_OKTA_BACKEND: undefined } });
      expectCode(listing, 0);
      assert.match(listing.stdout, /secret-service\s+no\s+D-Bus session bus .* did not answer within 500 ms/);
      assertIncludes(listing.stdout, "No backend will be used: secret-service:");

      // No bus at all: an immediate, clear error for the chosen backend...
      const missing = await world.run(["cred-process", "dev"], {
        env: { AWS_OKTA_BACKEND: "secret-service" },
      });
      expectCode(missing, 1);
      assertIncludes(
        missing.stderr,
        "secret-service keyring unavailable: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)",
      );
      assertIncludes(missing.stderr, "--backend file");
      // ...and, with no backend chosen, the file backend.
      const listed = await world.run(["backends"], { env: { AWS_OKTA_BACKEND: undefined } });
      assert.match(listed.stdout, /^\* file\s+yes/m);
    } finally {
      await world.close();
      await hung.close();
    }
  },
});
