/**
 * Keyrings both ways with the real Go aws-okta v1.0.11: for the file keyring, a pass store (real
 * pass and gpg) and a Secret Service (real gnome-keyring with Go's "awsvault" collection), Go's
 * `add` stores the Okta credentials and our `cred-process` logs in with them; then our `add`
 * stores them and Go's `cred-process` logs in with them (and with the session cookie we kept).
 */

import assert from "node:assert/strict";
import { hasCommand } from "../../src/keyring/test_support.ts";
import { createGoKeyringWorld, GO_PROFILE, type SharedBackend } from "./go_aws_okta.ts";
import { expectCode } from "./harness.ts";

const BACKENDS: [SharedBackend, boolean][] = [
  ["file", Deno.build.os !== "windows"],
  ["pass", Deno.build.os !== "windows" && hasCommand("pass") && hasCommand("gpg")],
  [
    "secret-service",
    Deno.build.os === "linux" && ["dbus-daemon", "gnome-keyring-daemon"].every(hasCommand),
  ],
];

function assertCredentials(stdout: string): string {
  const json = JSON.parse(stdout);
  assert.equal(json.Version, 1);
  assert.match(json.AccessKeyId, /^ASIA/);
  return json.AccessKeyId;
}

for (const [backend, available] of BACKENDS) {
  Deno.test({
    name: `${backend} keyring: Go aws-okta's add, then our cred-process logs in with its credentials`,
    ignore: !available || !hasCommand("python3"),
    async fn() {
      const gw = await createGoKeyringWorld(backend);
      if (!gw) return;
      try {
        const user = gw.world.sim.state.users[0]!;
        const added = await gw.runGo(
          ["add", "--domain", gw.oktaDomain, "--username", user.login],
          [[/Okta password/, user.password]],
        );
        expectCode(added, 0);
        const authnByGo = gw.world.sim.count("POST /api/v1/authn");
        assert.ok(authnByGo >= 1, "Go's add checked the password with Okta");

        const ours = await gw.world.run(["cred-process", GO_PROFILE]);
        expectCode(ours, 0);
        assertCredentials(ours.stdout);
        // Only Go's item could have given us the password.
        assert.equal(gw.world.sim.count("POST /api/v1/authn"), authnByGo + 1);
      } finally {
        await gw.close();
      }
    },
  });

  Deno.test({
    name: `${backend} keyring: our add and login, then Go aws-okta's cred-process uses what we stored`,
    ignore: !available || !hasCommand("python3"),
    async fn() {
      const gw = await createGoKeyringWorld(backend);
      if (!gw) return;
      try {
        const user = gw.world.sim.state.users[0]!;
        expectCode(
          await gw.world.run(["add", "--domain", gw.oktaDomain, "--username", user.login], {
            stdin: `${user.password}\n`,
          }),
          0,
        );
        // Our login keeps the Okta session cookie and device token too.
        assertCredentials((await gw.world.run(["cred-process", GO_PROFILE])).stdout);

        const logins = gw.world.sim.count("POST /api/v1/authn");
        const go = await gw.runGo(["cred-process", GO_PROFILE]);
        expectCode(go, 0);
        assertCredentials(go.stdout);
        // Go found our credentials (without them it stops with "Okta credentials are not in your
        // keyring") and our Okta session cookie: it needed no password login of its own.
        assert.equal(gw.world.sim.count("POST /api/v1/authn"), logins);
        assert.equal(gw.world.sim.count("sts:AssumeRoleWithSAML"), 2);
      } finally {
        await gw.close();
      }
    },
  });
}
