import assert from "node:assert/strict";
import { findExecutable } from "../../../tests/peers.ts";
import { KeyNotFoundError, KeyringError } from "../keyring.ts";
import { buildCredential } from "./advapi32.ts";
import { WincredKeyring } from "./wincred.ts";
import { MAX_BLOB_BYTES, TARGET_PREFIX, targetName } from "./wincred_target.ts";

Deno.test({
  name: "wincred is refused anywhere but Windows",
  ignore: Deno.build.os === "windows", // the refusal elsewhere; Windows runs the test below
  fn() {
    assert.throws(() => WincredKeyring.open(), /wincred keyring unavailable: Windows only/);
  },
});

// The real Credential Manager: runs on the Windows job of the GitHub workflow, and under Wine
// (`make test-windows`), whose Credential Manager keeps credentials in the prefix's registry.
Deno.test({
  name: "wincred keyring against the Windows Credential Manager",
  ignore: Deno.build.os !== "windows",
  async fn() {
    const kr = WincredKeyring.open();
    const key = `aws-okta-test-${crypto.randomUUID()} \u{1F511}`;
    try {
      const data = new TextEncoder().encode(`{"Username":"u","Password":"p"}`);
      await kr.set({ key, data, label: "okta credentials" });
      assert.deepEqual(await kr.get(key), { key, data, label: "okta credentials" });
      assert.ok((await kr.keys()).includes(key));
      await kr.set({ key, data: new Uint8Array([1, 2, 3]) });
      assert.deepEqual((await kr.get(key)).data, new Uint8Array([1, 2, 3]));
      await assert.rejects(kr.set({ key, data: new Uint8Array(MAX_BLOB_BYTES + 1) }), KeyringError);

      // An item as Go aws-okta wrote it: the raw bytes as blob, no comment, same target.
      const advapi = Deno.dlopen("advapi32.dll", {
        CredWriteW: { parameters: ["buffer", "u32"], result: "i32" },
      });
      try {
        const goItem = buildCredential(
          targetName(`${key}-go`),
          new TextEncoder().encode("go session cookie"),
        );
        assert.equal(advapi.symbols.CredWriteW(goItem.struct, 0), 1);
      } finally {
        advapi.close();
      }
      assert.equal(new TextDecoder().decode((await kr.get(`${key}-go`)).data), "go session cookie");

      // Another process reads what this one wrote, as the next aws-okta run will.
      const reader = `import { WincredKeyring } from ${
        JSON.stringify(new URL("./wincred.ts", import.meta.url).href)
      };
const kr = WincredKeyring.open();
const item = await kr.get(Deno.args[0]);
console.log(JSON.stringify({ data: new TextDecoder().decode(item.data), label: item.label ?? null, listed: (await kr.keys()).includes(Deno.args[0]) }));`;
      await kr.set({ key, data: new TextEncoder().encode("from the parent"), label: "shared" });
      const child = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--quiet", reader, key],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(child.code, 0, new TextDecoder().decode(child.stderr));
      assert.deepEqual(JSON.parse(new TextDecoder().decode(child.stdout)), {
        data: "from the parent",
        label: "shared",
        listed: true,
      });

      // Windows' own tool sees the target we wrote (Wine has no cmdkey).
      if (findExecutable("cmdkey")) {
        const listing = await new Deno.Command("cmdkey", { args: [`/list:${TARGET_PREFIX}*`] }).output();
        assert.ok(new TextDecoder().decode(listing.stdout).includes("aws-okta-test-"));
      }
    } finally {
      await kr.remove(key);
      await kr.remove(`${key}-go`);
    }
    await assert.rejects(kr.get(key), KeyNotFoundError);
    await kr.remove(key);
  },
});
