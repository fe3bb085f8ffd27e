import assert from "node:assert/strict";
import { BackendProber, probeTimeoutMs } from "./probe.ts";
import { passStoreDir } from "./select.ts";
import { BACKENDS } from "./select.ts";
import { startHungBus, startTestBus } from "./test_support.ts";
import { skipWithout } from "../../tests/peers.ts";

const env = (vars: Record<string, string>) => ({ get: (name: string) => vars[name] });
const unix = Deno.build.os !== "windows";

Deno.test("OS backends are judged by the OS alone", async () => {
  const on = (os: typeof Deno.build.os) => new BackendProber({ home: "/h", env: env({}), os });
  assert.equal((await on("windows").probe("wincred")).usable, true);
  assert.equal((await on("linux").probe("wincred")).usable, false);
  assert.equal((await on("darwin").probe("keychain")).usable, true);
  assert.deepEqual(await on("windows").probe("keychain"), {
    name: "keychain",
    usable: false,
    detail: "macOS only",
  });
  assert.equal((await on("darwin").probe("secret-service")).usable, false);
  assert.equal((await on("windows").probe("pass")).usable, false);
  assert.equal((await on("linux").probe("file")).usable, true);
});

Deno.test("all() answers for every backend in aws-okta's order", async () => {
  const statuses = await new BackendProber({ home: "/h", env: env({ PATH: "" }), os: "linux" }).all();
  assert.deepEqual(statuses.map((s) => s.name), [...BACKENDS]);
});

Deno.test({
  name: "without a session bus the D-Bus backends are unusable at once, not hung",
  ignore: !unix,
  async fn() {
    const prober = new BackendProber({ home: "/h", env: env({}), os: "linux" });
    const status = await prober.probe("secret-service");
    assert.equal(status.usable, false);
    assert.equal(status.hung, undefined);
    assert.equal(status.detail, "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)");
    assert.match(status.hint ?? "", /--backend file/);
    assert.equal((await prober.probe("kwallet")).usable, false);
    const gone = await new BackendProber({
      home: "/h",
      env: env({ DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/aws-okta-bus" }),
    }).probe("secret-service");
    assert.equal(gone.detail, `D-Bus session bus "unix:path=/nonexistent/aws-okta-bus" is not reachable`);
  },
});

Deno.test({
  name: "a session bus that never answers is reported as hung after the deadline",
  ignore: !unix,
  async fn() {
    const hung = await startHungBus();
    try {
      const vars = { DBUS_SESSION_BUS_ADDRESS: hung.address, AWS_OKTA_DBUS_TIMEOUT_MS: "200" };
      const prober = new BackendProber({ home: "/h", env: env(vars), os: "linux" });
      const status = await prober.probe("secret-service");
      assert.equal(status.usable, false);
      assert.equal(status.hung, true);
      assert.equal(status.detail, `D-Bus session bus "${hung.address}" did not answer within 200 ms`);
      // kwallet shares the one bus check.
      assert.equal((await prober.probe("kwallet")).hung, true);
      assert.equal(hung.accepted(), 1);
      await prober.close();
    } finally {
      await hung.close();
    }
  },
});

Deno.test({
  name: "a bus without keyring services makes both D-Bus backends unusable",
  ignore: !unix || skipWithout(["dbus-daemon"]),
  async fn() {
    const bus = await startTestBus();
    try {
      const prober = new BackendProber({ home: "/h", env: env({ DBUS_SESSION_BUS_ADDRESS: bus.address }) });
      const status = await prober.probe("secret-service");
      assert.equal(status.usable, false);
      assert.equal(status.hung, undefined);
      assert.match(status.hint ?? "", /gnome-keyring/);
      assert.equal((await prober.probe("kwallet")).detail, "no KWallet daemon on the session bus");
      assert.deepEqual(await prober.busServices(), { address: bus.address });
      await prober.close();
    } finally {
      await bus.close();
    }
  },
});

Deno.test({
  name: "pass is usable only with the command on PATH and an initialised store",
  ignore: !unix,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${dir}/bin`);
      await Deno.writeTextFile(`${dir}/bin/pass`, "#!/bin/sh\n");
      const vars = { PATH: `${dir}/bin`, PASSWORD_STORE_DIR: `${dir}/store` };
      const prober = () => new BackendProber({ home: dir, env: env(vars), os: "linux" });
      // Not executable yet: not a command.
      assert.equal((await prober().probe("pass")).detail, `no "pass" command on PATH`);
      await Deno.chmod(`${dir}/bin/pass`, 0o755);
      const uninitialised = await prober().probe("pass");
      assert.equal(uninitialised.usable, false);
      assert.equal(uninitialised.detail, `no password store in "${dir}/store"`);
      assert.match(uninitialised.hint ?? "", /pass init/);
      await Deno.mkdir(`${dir}/store`);
      await Deno.writeTextFile(`${dir}/store/.gpg-id`, "ABCDEF\n");
      assert.deepEqual(await prober().probe("pass"), {
        name: "pass",
        usable: true,
        detail: `password store "${dir}/store"`,
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("helpers: store directory, probe deadline", () => {
  assert.equal(passStoreDir({ home: "/home/u/", env: env({}) }), "/home/u/.password-store");
  assert.equal(passStoreDir({ home: "/home/u", env: env({ PASSWORD_STORE_DIR: "/s" }) }), "/s");
  assert.equal(probeTimeoutMs(env({})), 3000);
  assert.equal(probeTimeoutMs(env({ AWS_OKTA_DBUS_TIMEOUT_MS: "250" })), 250);
  assert.equal(probeTimeoutMs(env({ AWS_OKTA_DBUS_TIMEOUT_MS: "-1" })), 3000);
  assert.equal(probeTimeoutMs(env({ AWS_OKTA_DBUS_TIMEOUT_MS: "soon" })), 3000);
});
