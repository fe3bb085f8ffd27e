// kwalletd itself cannot run here (it needs a desktop session to create a wallet), so these tests
// run the backend against a stand-in kwalletd on a real dbus-daemon: the D-Bus calls, their
// argument types, the wallet/folder/app names and the stored bytes are what is checked.
import assert from "node:assert/strict";
import { skipWithout } from "../../tests/peers.ts";
import { DBusError } from "../dbus/connection.ts";
import { connectService, type DBusService } from "../dbus/test_service.ts";
import type { DBusMessage, DBusValue } from "../dbus/wire.ts";
import { encodeItem } from "./item_json.ts";
import { KeyNotFoundError, KeyringError } from "./keyring.ts";
import { APP_ID, FOLDER, KWalletKeyring, kwalletPath, WALLET } from "./kwallet.ts";
import { BackendProber } from "./probe.ts";
import { startTestBus, type TestBus } from "./test_support.ts";

const haveBus = Deno.build.os === "linux" && !skipWithout(["dbus-daemon"]);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

/** A stand-in kwalletd: wallets of folders of binary entries, and a log of the calls. */
class FakeKWallet {
  readonly calls: DBusMessage[] = [];
  readonly folders = new Map<string, Map<string, Uint8Array>>();
  enabled = true;
  openResult = 7;

  handle(call: DBusMessage): { signature: string; body: DBusValue[] } {
    this.calls.push(call);
    const args = call.body;
    const folder = () => this.folders.get(String(args[1]));
    switch (`${call.member}(${call.signature})`) {
      case "isEnabled()":
        return { signature: "b", body: [this.enabled] };
      case "open(sxs)":
        return { signature: "i", body: [this.openResult] };
      case "hasFolder(iss)":
        return { signature: "b", body: [this.folders.has(String(args[1]))] };
      case "createFolder(iss)":
        this.folders.set(String(args[1]), new Map());
        return { signature: "b", body: [true] };
      case "hasEntry(isss)":
        return { signature: "b", body: [folder()?.has(String(args[2])) ?? false] };
      case "readEntry(isss)":
        return { signature: "ay", body: [folder()?.get(String(args[2])) ?? new Uint8Array(0)] };
      case "writeEntry(issays)": {
        const entries = folder();
        if (!entries) return { signature: "i", body: [-1] };
        entries.set(String(args[2]), args[3] as Uint8Array);
        return { signature: "i", body: [0] };
      }
      case "removeEntry(isss)":
        return { signature: "i", body: [folder()?.delete(String(args[2])) ? 0 : -1] };
      case "entryList(iss)":
        return { signature: "as", body: [[...(folder()?.keys() ?? [])]] };
    }
    throw new DBusError("org.freedesktop.DBus.Error.UnknownMethod", `no "${call.member}(${call.signature})"`);
  }
}

async function withFakeKWallet(
  fn: (bus: TestBus, fake: FakeKWallet, service: DBusService) => Promise<void>,
  name = "org.kde.kwalletd6",
): Promise<void> {
  const bus = await startTestBus();
  const service = await connectService(bus.address, { timeoutMs: 5000 });
  try {
    const fake = new FakeKWallet();
    service.serve((call) => {
      if (call.path !== kwalletPath(name) || call.interface !== "org.kde.KWallet") {
        throw new DBusError("org.freedesktop.DBus.Error.UnknownObject", "wrong object");
      }
      return fake.handle(call);
    });
    assert.equal(await service.requestName(name), true);
    await fn(bus, fake, service);
  } finally {
    service.close();
    await bus.close();
  }
}

Deno.test("kwalletPath follows the daemon's name", () => {
  assert.equal(kwalletPath("org.kde.kwalletd6"), "/modules/kwalletd6");
  assert.equal(kwalletPath("org.kde.kwalletd5"), "/modules/kwalletd5");
});

Deno.test({
  name: "kwallet keyring stores Go aws-okta's entries in Go's wallet and folder",
  ignore: !haveBus,
  async fn(t) {
    await withFakeKWallet(async (bus, fake) => {
      const kr = await KWalletKeyring.open({ address: bus.address, service: "org.kde.kwalletd6" });
      try {
        await t.step("set creates the folder and writes the Go item JSON as a binary entry", async () => {
          const data = bytes(`{"Username":"u","Password":"p"}`);
          await kr.set({ key: "okta-creds", data, label: "okta credentials" });
          const stored = fake.folders.get(FOLDER)?.get("okta-creds");
          assert.ok(stored);
          assert.equal(
            text(stored),
            text(encodeItem({ key: "okta-creds", data, label: "okta credentials" })),
          );
          const open = fake.calls.find((call) => call.member === "open")!;
          assert.deepEqual(open.body, [WALLET, 0n, APP_ID]);
          assert.equal(WALLET, "aws-okta-login");
          assert.equal(FOLDER, "keyring");
          const write = fake.calls.find((call) => call.member === "writeEntry")!;
          assert.deepEqual(write.body.slice(0, 3), [7, "keyring", "okta-creds"]);
          assert.equal(write.body[4], APP_ID);
        });

        await t.step("get reads it back; the wallet is opened once", async () => {
          const item = await kr.get("okta-creds");
          assert.equal(text(item.data), `{"Username":"u","Password":"p"}`);
          assert.equal(item.label, "okta credentials");
          assert.equal(fake.calls.filter((call) => call.member === "open").length, 1);
        });

        await t.step("an entry Go aws-okta wrote is read", async () => {
          const goItem = JSON.stringify({
            Key: "okta-session-cookie",
            Data: btoa("sid-cookie"),
            Label: "okta session cookie",
            Description: "",
            KeychainNotTrustApplication: false,
            KeychainNotSynchronizable: false,
          });
          fake.folders.get(FOLDER)!.set("okta-session-cookie", bytes(goItem));
          assert.equal(text((await kr.get("okta-session-cookie")).data), "sid-cookie");
        });

        await t.step("keys lists the folder; remove deletes; missing keys are not found", async () => {
          assert.deepEqual(await kr.keys(), ["okta-creds", "okta-session-cookie"]);
          await kr.remove("okta-session-cookie");
          await kr.remove("okta-session-cookie");
          await assert.rejects(kr.get("okta-session-cookie"), KeyNotFoundError);
          assert.deepEqual(await kr.keys(), ["okta-creds"]);
        });

        await t.step("a damaged entry is reported as corrupted", async () => {
          fake.folders.get(FOLDER)!.set("bad", bytes("not json"));
          await assert.rejects(
            kr.get("bad"),
            (error: unknown) => error instanceof KeyringError && error.reason === "corrupted",
          );
        });
      } finally {
        kr.close();
      }
    });
  },
});

Deno.test({
  name: "a refused or disabled wallet is a clear error",
  ignore: !haveBus,
  async fn() {
    await withFakeKWallet(async (bus, fake) => {
      const kr = await KWalletKeyring.open({ address: bus.address, service: "org.kde.kwalletd5" });
      try {
        fake.openResult = -1;
        await assert.rejects(kr.get("okta-creds"), /cannot open wallet "aws-okta-login"/);
        fake.openResult = 3;
        await assert.rejects(kr.get("okta-creds"), KeyNotFoundError); // a refused open is asked again
        fake.enabled = false;
        const other = await KWalletKeyring.open({ address: bus.address, service: "org.kde.kwalletd5" });
        try {
          await assert.rejects(other.keys(), /the KDE wallet subsystem is disabled/);
        } finally {
          other.close();
        }
      } finally {
        kr.close();
      }
    }, "org.kde.kwalletd5");
  },
});

Deno.test({
  name: "the probe finds kwalletd and the Secret Service on the session bus",
  ignore: !haveBus,
  async fn() {
    await withFakeKWallet(async (bus) => {
      const env = (vars: Record<string, string>) => ({ get: (name: string) => vars[name] });
      const prober = new BackendProber({
        home: bus.dir,
        env: env({ DBUS_SESSION_BUS_ADDRESS: bus.address }),
      });
      const kwallet = await prober.probe("kwallet");
      assert.equal(kwallet.usable, true);
      assert.match(kwallet.detail, /org\.kde\.kwalletd6/);
      const secretService = await prober.probe("secret-service");
      assert.equal(secretService.usable, false);
      assert.match(secretService.detail, /no Secret Service/);
      assert.equal((await prober.busServices())?.kwallet, "org.kde.kwalletd6");
      await prober.close();
      const disabled = new BackendProber({
        home: bus.dir,
        env: env({ DBUS_SESSION_BUS_ADDRESS: bus.address, DISABLE_KWALLET: "1" }),
      });
      assert.equal((await disabled.probe("kwallet")).usable, false);
      await disabled.close();
    });
  },
});
