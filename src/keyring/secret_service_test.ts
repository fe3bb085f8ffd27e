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
  name: "secret-service keyring: binary items, keys, remove, and Go aws-okta's items",
  ignore: !haveDaemon,
  async fn(t) {
    const fixture = await Deno.readTextFile(
      new URL("../../tests/fixtures/keyring/awsvault.keyring", import.meta.url),
    );
    const svc = await startSecretService({ keyrings: { "awsvault.keyring": fixture } });
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
        assert.equal(
          (await client(svc, ["set", "okta-session-cookie", "okta session cookie"], text.encode("a"))).code,
          0,
        );
        assert.equal(
          (await client(svc, ["set", "okta-session-cookie", "okta session cookie"], text.encode("b"))).code,
          0,
        );
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
      });

      await t.step("a Go aws-okta item is read when we have none, and remove deletes both", async () => {
        await createGoLibsecretItem(
          svc.address,
          "okta-creds",
          new TextEncoder().encode(`{"Username":"go"}`),
          "x",
        );
        const legacy = await client(svc, ["get", "okta-creds"]);
        assert.equal(legacy.code, 0, legacy.stderr);
        assert.equal(new TextDecoder().decode(legacy.stdout), `{"Username":"go"}`);
        // An item of another tool that merely has a "profile" attribute is not taken for ours.
        await secretTool(
          svc,
          ["store", "--label=other tool", "profile", "okta-creds-other"],
          "not a Go item",
        );
        assert.match(await secretTool(svc, ["lookup", "profile", "okta-creds-other"]), /^not a Go item/);
        assert.equal((await client(svc, ["get", "okta-creds-other"])).code, 3);

        assert.equal((await client(svc, ["set", "okta-creds"], new TextEncoder().encode("ours"))).code, 0);
        assert.equal(new TextDecoder().decode((await client(svc, ["get", "okta-creds"])).stdout), "ours");
        assert.equal((await client(svc, ["remove", "okta-creds"])).code, 0);
        const gone = await client(svc, ["get", "okta-creds"]);
        assert.equal(gone.code, 3);
        assert.match(gone.stderr, /no "okta-creds" item in the secret-service keyring/);
        assert.equal(await secretTool(svc, ["lookup", "profile", "okta-creds"]), "");
        assert.equal((await client(svc, ["remove", "okta-creds"])).code, 0);
      });

      await t.step("keys lists our items only", async () => {
        const keys = await client(svc, ["keys"]);
        assert.equal(new TextDecoder().decode(keys.stdout), "binary\nokta-session-cookie\n");
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
