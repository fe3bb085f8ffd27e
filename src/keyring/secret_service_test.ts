// The secret-service backend against a real gnome-keyring. Each operation runs in a process of its
// own (tests/fixtures/keyring/keyring_client.ts): GDBus ends a process whose session bus goes away,
// so the test process itself never loads libsecret.
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { skipWithout } from "../../tests/peers.ts";
import { LibraryLoadError, loadLibrary } from "./libsecret.ts";
import {
  createGoLibsecretItem,
  runTool,
  startSecretService,
  type TestSecretService,
} from "./test_support.ts";

const CLIENT = fileURLToPath(new URL("../../tests/fixtures/keyring/keyring_client.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));
const haveDaemon = Deno.build.os === "linux" &&
  !skipWithout(["dbus-daemon", "gnome-keyring-daemon", "secret-tool"]);

interface ClientResult {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

async function client(svc: TestSecretService, args: string[], stdin?: Uint8Array): Promise<ClientResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P=test", "--config", CONFIG, CLIENT, "secret-service", ...args],
    env: svc.env,
    clearEnv: true,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const output = await child.output();
  return { code: output.code, stdout: output.stdout, stderr: new TextDecoder().decode(output.stderr) };
}

/** secret-tool's stdout (a lookup that finds nothing fails with no output). */
function secretTool(svc: TestSecretService, args: string[], stdin?: string): Promise<string> {
  const options = { env: svc.env, check: false };
  return runTool("secret-tool", args, stdin === undefined ? options : { ...options, stdin });
}

Deno.test({
  name: "secret-service keyring without Go's collection: our layout in the default collection",
  ignore: !haveDaemon,
  async fn(t) {
    const svc = await startSecretService();
    try {
      await t.step("bytes with NUL and non-UTF-8 round-trip exactly", async () => {
        const data = new Uint8Array([0, 1, 2, 0xff, 0xfe, 10, 0]);
        assert.equal((await client(svc, ["set", "binary", "binary item"], data)).code, 0);
        const got = await client(svc, ["get", "binary"]);
        assert.equal(got.code, 0, got.stderr);
        assert.deepEqual(got.stdout, data);
      });

      await t.step("set replaces, and secret-tool sees one item with our label", async () => {
        const text = new TextEncoder();
        for (const value of ["a", "b"]) {
          const set = await client(
            svc,
            ["set", "okta-session-cookie", "okta session cookie"],
            text.encode(value),
          );
          assert.equal(set.code, 0, set.stderr);
        }
        assert.equal(
          new TextDecoder().decode((await client(svc, ["get", "okta-session-cookie"])).stdout),
          "b",
        );
        const listing = await secretTool(svc, [
          "search",
          "--all",
          "service",
          "aws-okta-login",
          "key",
          "okta-session-cookie",
        ]);
        assert.equal(listing.match(/^label = /gm)?.length, 1);
        assert.match(listing, /^label = aws-okta: okta session cookie$/m);
        assert.match(listing, /^secret = b$/m);
        // No collection of Go's was made (that would have needed a prompt).
        assert.equal(await secretTool(svc, ["lookup", "profile", "okta-session-cookie"]), "");
      });

      await t.step("remove deletes; a missing key is fine; keys lists what is left", async () => {
        assert.equal((await client(svc, ["remove", "binary"])).code, 0);
        assert.equal((await client(svc, ["get", "binary"])).code, 3);
        assert.equal((await client(svc, ["remove", "binary"])).code, 0);
        const keys = await client(svc, ["keys"]);
        assert.equal(new TextDecoder().decode(keys.stdout), "okta-session-cookie\n");
      });
    } finally {
      await svc.close();
    }
  },
});

Deno.test({
  name: "secret-service keyring with Go's awsvault collection: Go's layout, both ways",
  ignore: !haveDaemon,
  async fn(t) {
    const fixture = await Deno.readTextFile(
      new URL("../../tests/fixtures/keyring/awsvault.keyring", import.meta.url),
    );
    const svc = await startSecretService({ keyrings: { "awsvault.keyring": fixture } });
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    try {
      await t.step("a Go aws-okta item is read", async () => {
        await createGoLibsecretItem(
          svc.address,
          "okta-creds",
          new TextEncoder().encode(`{"Username":"go"}`),
          "x",
        );
        const legacy = await client(svc, ["get", "okta-creds"]);
        assert.equal(legacy.code, 0, legacy.stderr);
        assert.equal(text(legacy.stdout), `{"Username":"go"}`);
        // An item of another tool that merely has a "profile" attribute is not taken for ours.
        await secretTool(
          svc,
          ["store", "--label=other tool", "profile", "okta-creds-other"],
          "not a Go item",
        );
        assert.match(await secretTool(svc, ["lookup", "profile", "okta-creds-other"]), /^not a Go item/);
        assert.equal((await client(svc, ["get", "okta-creds-other"])).code, 3);
      });

      await t.step("set writes Go's layout into awsvault and drops our stale copy", async () => {
        // Our item from before Go's collection existed (as secret-tool would store it).
        await secretTool(
          svc,
          ["store", "--label=aws-okta: old", "service", "aws-okta-login", "key", "dt"],
          "old",
        );
        assert.equal(text((await client(svc, ["get", "dt"])).stdout), "old");
        const data = new Uint8Array([0, 0xff, 0x3c]);
        assert.equal((await client(svc, ["set", "dt", "okta device token"], data)).code, 0);
        const item = JSON.parse(await secretTool(svc, ["lookup", "profile", "dt"]));
        assert.deepEqual(item, {
          Key: "dt",
          Data: "AP88",
          Label: "okta device token",
          Description: "",
          KeychainNotTrustApplication: false,
          KeychainNotSynchronizable: false,
        });
        const listing = await secretTool(svc, ["search", "--all", "profile", "dt"]);
        assert.match(listing, /^label = dt$/m);
        assert.equal(await secretTool(svc, ["lookup", "service", "aws-okta-login", "key", "dt"]), "");
        assert.deepEqual((await client(svc, ["get", "dt"])).stdout, data);
        // Replacing keeps one item.
        assert.equal((await client(svc, ["set", "dt", "okta device token"], data)).code, 0);
        assert.equal(
          (await secretTool(svc, ["search", "--all", "profile", "dt"])).match(/^label = /gm)?.length,
          1,
        );
      });

      await t.step("keys lists Go's items; remove deletes Go's and ours", async () => {
        const keys = text((await client(svc, ["keys"])).stdout).split("\n");
        assert.ok(keys.includes("dt") && keys.includes("okta-creds"), keys.join(","));
        await secretTool(svc, [
          "store",
          "--label=aws-okta: ours",
          "service",
          "aws-okta-login",
          "key",
          "okta-creds",
        ], "o");
        assert.equal((await client(svc, ["remove", "okta-creds"])).code, 0);
        const gone = await client(svc, ["get", "okta-creds"]);
        assert.equal(gone.code, 3);
        assert.match(gone.stderr, /no "okta-creds" item in the secret-service keyring/);
        assert.equal(await secretTool(svc, ["lookup", "profile", "okta-creds"]), "");
        assert.equal(await secretTool(svc, ["lookup", "service", "aws-okta-login", "key", "okta-creds"]), "");
        // The other tool's item is left alone.
        assert.match(await secretTool(svc, ["lookup", "profile", "okta-creds-other"]), /^not a Go item/);
      });
    } finally {
      await svc.close();
    }
  },
});

Deno.test("a missing library is a clear error, not a crash", () => {
  assert.throws(
    () => loadLibrary("libaws-okta-does-not-exist.so.0", { f: { parameters: [], result: "void" } }),
    (error: unknown) => {
      assert.ok(error instanceof LibraryLoadError);
      assert.match(error.message, /^cannot load "libaws-okta-does-not-exist\.so\.0": /);
      return true;
    },
  );
});
