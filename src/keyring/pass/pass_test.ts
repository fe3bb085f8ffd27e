import assert from "node:assert/strict";
import { skipWithout } from "../../../tests/peers.ts";
import { encodeItem } from "../item_json.ts";
import { KeyNotFoundError, KeyringError } from "../keyring.ts";
import { fallbackPrefix, LEGACY_PREFIX, PassKeyring } from "./pass.ts";
import { createPassStore, runTool, type TestPassStore } from "../test_support.ts";

const havePass = Deno.build.os !== "windows" && !skipWithout(["pass", "gpg"]);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

/** Runs `pass` itself against the store, as a person (or Go aws-okta) would. */
function pass(store: TestPassStore, args: string[], stdin?: string): Promise<string> {
  return runTool("pass", args, stdin === undefined ? { env: store.env } : { env: store.env, stdin });
}

function keyring(store: TestPassStore, prefix = "aws-okta/"): PassKeyring {
  return new PassKeyring({ storeDir: store.storeDir, prefix, env: { GNUPGHOME: store.gnupgHome } });
}

Deno.test({
  name: "pass keyring against a real password store",
  ignore: !havePass,
  async fn(t) {
    const store = await createPassStore();
    try {
      const kr = keyring(store);

      await t.step("an item round-trips and pass shows the Go item JSON under the prefix", async () => {
        const data = bytes(`{"Organization":"","Username":"u","Password":"p<w>d","Domain":"acme.okta.com"}`);
        await kr.set({ key: "okta-creds", data, label: "okta credentials" });
        const item = await kr.get("okta-creds");
        assert.deepEqual(item, { key: "okta-creds", data, label: "okta credentials" });
        const shown = await pass(store, ["show", "aws-okta/okta-creds"]);
        assert.equal(shown, text(encodeItem({ key: "okta-creds", data, label: "okta credentials" })));
        // The entry really is encrypted on disk.
        const raw = await Deno.readFile(`${store.storeDir}/aws-okta/okta-creds.gpg`);
        assert.ok(!text(raw).includes("acme.okta.com"));
      });

      await t.step("set replaces an existing entry", async () => {
        await kr.set({ key: "okta-session-cookie", data: bytes("first") });
        await kr.set({ key: "okta-session-cookie", data: bytes("second") });
        assert.equal(text((await kr.get("okta-session-cookie")).data), "second");
      });

      await t.step("binary data and keys with spaces, slashes and parentheses work", async () => {
        const key = "okta-dev session (0123456789abcdef0123)";
        const data = new Uint8Array([0, 1, 2, 254, 255, 10]);
        await kr.set({ key, data });
        assert.deepEqual((await kr.get(key)).data, data);
        await kr.set({ key: "nested/key", data: bytes("n") });
        assert.equal(text((await kr.get("nested/key")).data), "n");
      });

      await t.step("an entry a person typed in reads as its raw bytes", async () => {
        await pass(store, ["insert", "-m", "-f", "aws-okta/typed"], "typed secret\n");
        assert.equal(text((await kr.get("typed")).data), "typed secret\n");
      });

      await t.step("Go aws-okta's entry (no prefix) is read when ours is missing", async () => {
        const goItem = JSON.stringify({
          Key: "okta-creds-legacy",
          Data: btoa(`{"Username":"go-user"}`),
          Label: "okta credentials",
          Description: "",
          KeychainNotTrustApplication: false,
          KeychainNotSynchronizable: false,
        });
        await pass(store, ["insert", "-m", "-f", "okta-creds-legacy"], goItem);
        const item = await kr.get("okta-creds-legacy");
        assert.equal(text(item.data), `{"Username":"go-user"}`);
        assert.equal(item.label, "okta credentials");
        // An unrelated top-level entry of the same name is not taken for ours.
        await pass(store, ["insert", "-m", "-f", "unrelated"], "someone's password");
        await assert.rejects(kr.get("unrelated"), KeyNotFoundError);
        // With the default (empty) prefix the Go location is ours.
        assert.equal(
          text((await keyring(store, "").get("okta-creds-legacy")).data),
          `{"Username":"go-user"}`,
        );
      });

      await t.step(
        "with the default prefix, items earlier versions wrote under aws-okta/ are read",
        async () => {
          const goLayout = keyring(store, "");
          // "okta-creds" exists only as aws-okta/okta-creds (written with the "aws-okta/" prefix above).
          await assert.rejects(Deno.stat(`${store.storeDir}/okta-creds.gpg`), Deno.errors.NotFound);
          const item = await goLayout.get("okta-creds");
          assert.equal(item.label, "okta credentials");
          assert.match(text(item.data), /"Username":"u"/);
          // New writes go to Go's place and win over the old entry from then on.
          await goLayout.set({ key: "okta-creds", data: bytes("new"), label: "okta credentials" });
          assert.equal(JSON.parse(await pass(store, ["show", "okta-creds"])).Key, "okta-creds");
          assert.equal(text((await goLayout.get("okta-creds")).data), "new");
          // An aws-okta/ entry that is not this key's item (typed in by hand) is not taken for it.
          await assert.rejects(goLayout.get("typed"), KeyNotFoundError);
        },
      );

      await t.step("remove deletes ours and Go's entry; a missing key is fine", async () => {
        await kr.set({ key: "okta-creds-legacy", data: bytes("ours") });
        await kr.remove("okta-creds-legacy");
        await assert.rejects(kr.get("okta-creds-legacy"), KeyNotFoundError);
        await kr.remove("never-there");
        assert.equal(await pass(store, ["show", "unrelated"]), "someone's password");
      });

      await t.step("keys lists the entries under the prefix", async () => {
        await pass(store, ["rm", "-f", "okta-creds"]);
        assert.deepEqual(await kr.keys(), [
          "nested/key",
          "okta-creds",
          "okta-dev session (0123456789abcdef0123)",
          "okta-session-cookie",
          "typed",
        ]);
        const dashed = keyring(store, "aws-okta/okta-");
        assert.deepEqual(await dashed.keys(), [
          "creds",
          "dev session (0123456789abcdef0123)",
          "session-cookie",
        ]);
        assert.deepEqual(await keyring(store, "nothing-here/").keys(), []);
      });

      await t.step("keys that would leave the store are refused", async () => {
        for (const key of ["", "../escape", "a/../../b", "/abs", "nul\0"]) {
          await assert.rejects(
            kr.set({ key, data: bytes("x") }),
            (error: unknown) => error instanceof KeyringError && error.reason === "invalid-key",
          );
        }
        assert.throws(() => keyring(store, "../out/"), KeyringError);
      });

      await t.step("reads run gpg as pass show does, without the pass script", async () => {
        const noScript = new PassKeyring({
          storeDir: store.storeDir,
          prefix: "",
          command: "aws-okta-no-such-pass",
          env: { GNUPGHOME: store.gnupgHome },
        });
        assert.equal(text((await noScript.get("okta-session-cookie")).data), "second");
        // Writes still go through pass (which knows the recipients).
        await assert.rejects(noScript.set({ key: "x", data: bytes("x") }), KeyringError);
        // PASSWORD_STORE_GPG_OPTS is passed on, as pass does: a bad option makes gpg fail, and
        // then pass itself (missing here) is tried and named.
        const badOpts = new PassKeyring({
          storeDir: store.storeDir,
          prefix: "",
          command: "aws-okta-no-such-pass",
          env: { GNUPGHOME: store.gnupgHome, PASSWORD_STORE_GPG_OPTS: "--no-such-gpg-option" },
        });
        await assert.rejects(badOpts.get("okta-session-cookie"), /cannot run "aws-okta-no-such-pass"/);
      });

      await t.step("a store gpg cannot decrypt fails with pass's reason and no secret", async () => {
        const broken = new PassKeyring({
          storeDir: store.storeDir,
          prefix: "aws-okta/",
          env: { GNUPGHOME: `${store.gnupgHome}-missing` },
        });
        await assert.rejects(broken.get("okta-creds"), (error: unknown) => {
          assert.ok(error instanceof KeyringError);
          assert.match(error.message, /^pass keyring: cannot read "aws-okta\/okta-creds": /);
          assert.ok(!error.message.includes("p<w>d"));
          return true;
        });
      });
    } finally {
      await store.close();
    }
  },
});

Deno.test("the fallback of the default prefix is our old aws-okta/, of any other prefix Go's top level", () => {
  assert.equal(fallbackPrefix(""), LEGACY_PREFIX);
  assert.equal(LEGACY_PREFIX, "aws-okta/");
  assert.equal(fallbackPrefix("aws-okta/"), "");
  assert.equal(fallbackPrefix("team/"), "");
});

Deno.test("a missing pass command is a clear error", async () => {
  const kr = new PassKeyring({ storeDir: "/nonexistent", prefix: "", command: "aws-okta-no-such-pass" });
  await kr.set({ key: "k", data: bytes("x") }).then(
    () => assert.fail("set should fail"),
    (error: unknown) => {
      assert.ok(error instanceof KeyringError);
      assert.match(error.message, /^pass keyring: cannot run "aws-okta-no-such-pass": /);
    },
  );
});
