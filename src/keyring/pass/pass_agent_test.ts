import assert from "node:assert/strict";
import { skipWithout } from "../../../tests/peers.ts";
import { AgentReader, keygripsOf } from "./pass_agent.ts";
import { PassKeyring } from "./pass.ts";
import { parseSexp, writeSexp } from "./gpg_agent.ts";
import { readPackets, unpadPkcs1 } from "./openpgp.ts";
import { createPassStore, runTool, type TestPassStore } from "../test_support.ts";

const havePass = Deno.build.os !== "windows" && !skipWithout(["pass", "gpg", "gpgconf"]);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function keyring(store: TestPassStore, cacheFile: string, path = Deno.env.get("PATH") ?? ""): PassKeyring {
  return new PassKeyring({
    storeDir: store.storeDir,
    prefix: "",
    env: { GNUPGHOME: store.gnupgHome },
    processEnv: { get: (name) => name === "PATH" ? path : Deno.env.get(name) },
    agentCacheFile: cacheFile,
  });
}

function reader(store: TestPassStore, cacheFile: string): AgentReader {
  return new AgentReader({
    cacheFile,
    gnupgHome: store.gnupgHome,
    env: { GNUPGHOME: store.gnupgHome },
    lookupEnv: Deno.env,
  });
}

Deno.test({
  name: "pass entries read through gpg-agent, checked against real gpg and pass",
  ignore: !havePass,
  async fn(t) {
    const store = await createPassStore();
    const cacheFile = `${store.storeDir}/../cache/aws-okta/gpg-agent.json`;
    // Long enough for several partial-length chunks and many CFB blocks; every byte value but LF.
    const secret = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(32 + (i % 90))).join("") + "\n";
    try {
      await runTool("pass", ["insert", "-m", "-f", "entry"], { env: store.env, stdin: secret });

      await t.step("the first read runs gpg and learns the agent's socket and keygrips", async () => {
        assert.equal(text((await keyring(store, cacheFile).get("entry")).data), secret);
        const cached = JSON.parse(await Deno.readTextFile(cacheFile))[store.gnupgHome];
        assert.match(cached.socket, /S\.gpg-agent$/);
        const listing = await runTool("gpg", [
          "--batch",
          "--with-colons",
          "--with-keygrip",
          "--list-secret-keys",
        ], {
          env: store.env,
        });
        assert.deepEqual(cached.keygrips, keygripsOf(listing));
        assert.equal(Object.keys(cached.keygrips).length, 2, "primary key and encryption subkey");
        assert.equal(((await Deno.stat(cacheFile)).mode ?? 0) & 0o777, 0o600);
      });

      await t.step(
        "then entries are read with no gpg on PATH: only the agent can have decrypted them",
        async () => {
          const empty = await Deno.makeTempDir();
          try {
            assert.equal(text((await keyring(store, cacheFile, empty).get("entry")).data), secret);
            assert.equal(text((await reader(store, cacheFile).read(`${store.storeDir}/entry.gpg`))!), secret);
          } finally {
            await Deno.remove(empty);
          }
        },
      );

      await t.step(
        "a changed byte in the encrypted data fails the integrity check: no plaintext",
        async () => {
          const bytes = await Deno.readFile(`${store.storeDir}/entry.gpg`);
          bytes[bytes.length - 40]! ^= 1;
          await Deno.writeFile(`${store.storeDir}/tampered.gpg`, bytes);
          assert.equal(await reader(store, cacheFile).read(`${store.storeDir}/tampered.gpg`), undefined);
          await assert.rejects(keyring(store, cacheFile).get("tampered"));
        },
      );

      await t.step("a message shape left to gpg (compressed) is read by gpg", async () => {
        const recipient = (await Deno.readTextFile(`${store.storeDir}/.gpg-id`)).trim();
        await runTool("gpg", [
          "--batch",
          "--yes",
          "--compress-algo",
          "zlib",
          "-r",
          recipient,
          "-o",
          `${store.storeDir}/zipped.gpg`,
          "-e",
        ], { env: store.env, stdin: "zipped secret" });
        const agent = reader(store, cacheFile);
        assert.equal(await agent.read(`${store.storeDir}/zipped.gpg`), undefined);
        assert.equal(agent.needsLearning, false);
        assert.equal(text((await keyring(store, cacheFile).get("zipped")).data), "zipped secret");
      });

      await t.step("an agent that moved is relearned while gpg reads the entry", async () => {
        const cached = JSON.parse(await Deno.readTextFile(cacheFile));
        const socket = cached[store.gnupgHome].socket;
        cached[store.gnupgHome].socket = `${socket}.gone`;
        await Deno.writeTextFile(cacheFile, JSON.stringify(cached));
        const agent = reader(store, cacheFile);
        assert.equal(await agent.read(`${store.storeDir}/entry.gpg`), undefined);
        assert.equal(agent.needsLearning, true);
        assert.equal(text((await keyring(store, cacheFile).get("entry")).data), secret);
        assert.equal(JSON.parse(await Deno.readTextFile(cacheFile))[store.gnupgHome].socket, socket);
      });

      await t.step("a corrupt cache file is a miss, then rewritten", async () => {
        await Deno.writeTextFile(cacheFile, "{not json");
        assert.equal(text((await keyring(store, cacheFile).get("entry")).data), secret);
        assert.ok(JSON.parse(await Deno.readTextFile(cacheFile))[store.gnupgHome]);
      });
    } finally {
      await store.close();
    }
  },
});

Deno.test({
  name: "pass entries encrypted to an ECDH (cv25519) key are read through gpg-agent too",
  ignore: !havePass,
  async fn() {
    const store = await createPassStore({ algorithm: "future-default" });
    const cacheFile = `${store.storeDir}/../cache/gpg-agent.json`;
    try {
      const listing = await runTool("gpg", ["--batch", "--with-colons", "--list-secret-keys"], {
        env: store.env,
      });
      assert.match(listing, /^ssb:[^:]*:[^:]*:18:/m, "an ECDH encryption subkey");
      await runTool("pass", ["insert", "-m", "-f", "entry"], { env: store.env, stdin: "ecdh secret" });
      assert.equal(text((await keyring(store, cacheFile).get("entry")).data), "ecdh secret");
      const cached = JSON.parse(await Deno.readTextFile(cacheFile))[store.gnupgHome];
      const [ecdh] = Object.values(cached.ecdh) as { fingerprint: string; hash: number; cipher: number }[];
      assert.ok(ecdh, "the subkey's KDF parameters were learned");
      assert.match(listing, new RegExp(`^fpr:+${ecdh.fingerprint}:`, "m"), "fingerprint as gpg computes it");
      const empty = await Deno.makeTempDir();
      try {
        assert.equal(text((await keyring(store, cacheFile, empty).get("entry")).data), "ecdh secret");
      } finally {
        await Deno.remove(empty);
      }
    } finally {
      await store.close();
    }
  },
});

Deno.test("keygripsOf pairs each sec/ssb key ID with the grp record that follows it", () => {
  const listing = [
    "sec:u:3072:1:9B4A00AE5DAF10B2:1796305262:::u:::scESC:::+:::23::0:",
    "fpr:::::::::6FA3249F24862793C26445D29B4A00AE5DAF10B2:",
    "grp:::::::::3FCBB30D565B6453DC4D92EAFAC74BDF6AD5DE76:",
    "uid:u::::1796305262::FFB7AB27B6F4D8858D896E745238EC5F1DC14657::test <t@example.invalid>::::::::::0:",
    "ssb:u:3072:1:72ab13d52ffedf92:1796305262::::::e:::+:::23:",
    "fpr:::::::::8A943FDDF49B6724272BDF2972AB13D52FFEDF92:",
    "grp:::::::::dfc22633c2ec1518d6b81c952468f63dfb542b95:",
  ].join("\n");
  assert.deepEqual(keygripsOf(listing), {
    "9B4A00AE5DAF10B2": "3FCBB30D565B6453DC4D92EAFAC74BDF6AD5DE76",
    "72AB13D52FFEDF92": "DFC22633C2EC1518D6B81C952468F63DFB542B95",
  });
});

Deno.test("canonical S-expressions round-trip, and malformed ones are refused", () => {
  const bytes = writeSexp(["enc-val", ["rsa", ["a", new Uint8Array([0, 41, 58, 255])]]]);
  assert.equal(text(bytes.subarray(0, 18)), "(7:enc-val(3:rsa(1");
  const parsed = parseSexp(bytes) as unknown[];
  assert.equal(text(parsed[0] as Uint8Array), "enc-val");
  assert.deepEqual(((parsed[1] as unknown[])[1] as unknown[])[1], new Uint8Array([0, 41, 58, 255]));
  assert.throws(() => parseSexp(new TextEncoder().encode("(5:value9:short)")));
  assert.throws(() => parseSexp(new TextEncoder().encode("(5:value")));
});

Deno.test("old-format packet headers and PKCS #1 padding", () => {
  // Old format, tag 11, one-byte length; then tag 10 (marker) with a two-byte length.
  const packets = readPackets(new Uint8Array([0xac, 2, 7, 8, 0xa9, 0, 3, 0x50, 0x47, 0x50]));
  assert.deepEqual(packets.map((p) => [p.tag, [...p.body]]), [[11, [7, 8]], [10, [0x50, 0x47, 0x50]]]);
  const padded = new Uint8Array([2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 9, 8]);
  assert.deepEqual([...unpadPkcs1(padded)], [9, 8]);
  assert.throws(() => unpadPkcs1(new Uint8Array([2, 1, 1, 0, 9])), /padding/);
  assert.throws(() => unpadPkcs1(new Uint8Array([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 9])), /padding/);
});
