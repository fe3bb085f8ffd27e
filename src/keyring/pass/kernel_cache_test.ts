import assert from "node:assert/strict";
import { skipWithout } from "../../../tests/peers.ts";
import { CACHE_SECONDS, describe, KernelEntryCache } from "./kernel_cache.ts";
import { PassKeyring } from "./pass.ts";
import { createPassStore, runTool } from "../test_support.ts";

const text = (bytes: Uint8Array | undefined) => bytes && new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

/** The kernel keyring answers here (Linux, keyctl not blocked by a seccomp filter). */
async function kernelKeyringWorks(): Promise<boolean> {
  const cache = KernelEntryCache.open();
  if (!cache) return false;
  const file = `/aws-okta-probe-${crypto.randomUUID()}`;
  await cache.write(file, bytes("x"), bytes("y"), 5);
  const works = text(await cache.read(file, bytes("x"))) === "y";
  await cache.remove(file);
  return works;
}

const available = Deno.build.os === "linux" && await kernelKeyringWorks();
const havePass = available && !skipWithout(["pass", "gpg", "gpgconf"]);

/** The /proc/keys line of the key kept for `file` (what `keyctl show` prints), if any. */
async function procKey(file: string): Promise<string | undefined> {
  return (await Deno.readTextFile("/proc/keys")).split("\n").find((line) =>
    line.includes(` ${describe(file)}: `)
  );
}

Deno.test({
  name: "kernel keyring: kept for its possessors only, for the time asked, bound to the entry file's bytes",
  ignore: !available,
  async fn() {
    const cache = KernelEntryCache.open()!;
    const file = `/store-${crypto.randomUUID()}/dev session.gpg`;
    const encrypted = crypto.getRandomValues(new Uint8Array(900));
    try {
      await cache.write(file, encrypted, bytes("secret json"), CACHE_SECONDS);
      assert.equal(text(await cache.read(file, encrypted)), "secret json");
      const line = await procKey(file);
      assert.ok(line, "the key is in the session keyring");
      // Fields: id, flags, usage, timeout, permissions, uid, gid, type, description.
      const [, , , timeout, permissions, , , type] = line.split(/\s+/);
      assert.equal(permissions, "3f000000", "possessor only: no user, group or other permission");
      assert.equal(type, "user");
      assert.match(timeout!, /^(9|10)m$/, `expires within ${CACHE_SECONDS} s`);

      // A rewrite changes the length or the end of the file: either is a miss.
      const longer = new Uint8Array(901);
      longer.set(encrypted);
      assert.equal(await cache.read(file, longer), undefined);
      const changedTail = encrypted.slice();
      changedTail[899]! ^= 1;
      assert.equal(await cache.read(file, changedTail), undefined);
      assert.equal(await cache.read(`${file}.other`, encrypted), undefined);

      await cache.remove(file);
      assert.equal(await cache.read(file, encrypted), undefined);
      assert.equal(await procKey(file), undefined);
    } finally {
      await cache.remove(file);
    }
  },
});

Deno.test({
  name: "kernel keyring: another process reads what this one kept, until it expires",
  ignore: !available,
  async fn() {
    const cache = KernelEntryCache.open()!;
    const file = `/store-${crypto.randomUUID()}/entry.gpg`;
    const encrypted = bytes("ciphertext of the entry");
    const reader = `
      import { KernelEntryCache } from ${JSON.stringify(new URL("./kernel_cache.ts", import.meta.url).href)};
      const value = await KernelEntryCache.open().read(${JSON.stringify(file)}, new TextEncoder().encode(${
      JSON.stringify("ciphertext of the entry")
    }));
      console.log(value ? new TextDecoder().decode(value) : "(miss)");
    `;
    const readElsewhere = async () => {
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--quiet", reader],
        stderr: "inherit",
      })
        .output();
      return new TextDecoder().decode(output.stdout).trim();
    };
    try {
      await cache.write(file, encrypted, bytes("kept value"), 2);
      assert.equal(await readElsewhere(), "kept value");
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.equal(await readElsewhere(), "(miss)");
      assert.equal(await cache.read(file, encrypted), undefined);
    } finally {
      await cache.remove(file);
    }
  },
});

Deno.test({
  name:
    "pass with the kernel cache: a read skips gpg, a rewrite by pass itself is seen, set and remove drop the copy",
  ignore: !havePass,
  async fn() {
    const store = await createPassStore();
    const cacheFile = `${store.storeDir}/../cache/aws-okta/gpg-agent.json`;
    const file = `${store.storeDir}/entry.gpg`;
    // No gpg on PATH and no agent: a read can only come from the kernel keyring.
    const keyring = (gpgWorks: boolean, kernelCache = true) =>
      new PassKeyring({
        storeDir: store.storeDir,
        prefix: "",
        env: { GNUPGHOME: gpgWorks ? store.gnupgHome : `${store.storeDir}/../no-gnupg` },
        processEnv: {
          get: (name) => name === "PATH" ? (gpgWorks ? Deno.env.get("PATH") : "/nonexistent") : undefined,
        },
        agentCacheFile: gpgWorks ? cacheFile : `${cacheFile}.none`,
        kernelCache,
      });
    try {
      await runTool("pass", ["insert", "-m", "-f", "entry"], { env: store.env, stdin: "first\n" });
      await assert.rejects(keyring(false).get("entry"), "nothing kept yet: gpg is needed");
      assert.equal(text((await keyring(true).get("entry")).data), "first\n");
      assert.equal(
        text((await keyring(false).get("entry")).data),
        "first\n",
        "served from the kernel keyring",
      );

      // Go aws-okta (or pass) rewrites the entry: the kept copy no longer matches the file.
      await runTool("pass", ["insert", "-m", "-f", "entry"], { env: store.env, stdin: "second\n" });
      await assert.rejects(keyring(false).get("entry"));
      assert.equal(text((await keyring(true).get("entry")).data), "second\n");
      assert.equal(text((await keyring(false).get("entry")).data), "second\n");

      // Our own writes and removals drop it at once.
      await keyring(true).set({ key: "entry", data: bytes("third\n") });
      assert.equal(await procKey(file), undefined);
      assert.equal(text((await keyring(true).get("entry")).data), "third\n");
      assert.ok(await procKey(file));
      await keyring(true).remove("entry");
      assert.equal(await procKey(file), undefined);

      // Off (AWS_OKTA_PASS_KERNEL_CACHE=0): nothing is kept.
      await runTool("pass", ["insert", "-m", "-f", "entry"], { env: store.env, stdin: "fourth\n" });
      assert.equal(text((await keyring(true, false).get("entry")).data), "fourth\n");
      assert.equal(await procKey(file), undefined);
    } finally {
      await KernelEntryCache.open()?.remove(file);
      await store.close();
    }
  },
});
