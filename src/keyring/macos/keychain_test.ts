import assert from "node:assert/strict";
import { KeyNotFoundError } from "../keyring.ts";
import { KeychainKeyring } from "./keychain.ts";

Deno.test({
  name: "the keychain is refused anywhere but macOS",
  ignore: Deno.build.os === "darwin",
  fn() {
    assert.throws(() => KeychainKeyring.open(), /keychain keyring unavailable: macOS only/);
  },
});

async function security(args: string[]): Promise<{ code: number; stdout: string }> {
  const output = await new Deno.Command("security", { args, stdout: "piped", stderr: "piped" }).output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
}

// The real Keychain: runs on the macOS job of the GitHub workflow.
Deno.test({
  name: "keychain keyring against the macOS Keychain",
  ignore: Deno.build.os !== "darwin",
  async fn() {
    const kr = KeychainKeyring.open();
    const key = `aws-okta-test-${crypto.randomUUID()}`;
    const goKey = `${key}-go`;
    try {
      const data = new TextEncoder().encode(`{"Username":"u","Password":"p"}`);
      await kr.set({ key, data, label: "okta credentials" });
      assert.deepEqual(await kr.get(key), { key, data, label: "okta credentials" });
      await kr.set({ key, data: new Uint8Array([1, 2, 3]), label: "okta credentials" });
      assert.deepEqual((await kr.get(key)).data, new Uint8Array([1, 2, 3]));
      assert.ok((await kr.keys()).includes(key));
      // The item is where Go aws-okta kept it: `security` finds it by service and account.
      const found = await security(["find-generic-password", "-s", "aws-okta-login", "-a", key]);
      assert.equal(found.code, 0);
      assert.match(found.stdout, /"labl"<blob>="okta credentials"/);

      // An item laid out as Go aws-okta wrote it (raw bytes, same service/account), readable by any app.
      const added = await security([
        "add-generic-password",
        "-A",
        "-s",
        "aws-okta-login",
        "-a",
        goKey,
        "-w",
        "go-cookie",
      ]);
      assert.equal(added.code, 0);
      assert.equal(new TextDecoder().decode((await kr.get(goKey)).data), "go-cookie");
    } finally {
      await kr.remove(key);
      await kr.remove(goKey);
    }
    await assert.rejects(kr.get(key), KeyNotFoundError);
    await kr.remove(key);
  },
});
