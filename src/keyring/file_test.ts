import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { compactDecrypt, CompactEncrypt } from "jose";
import { FileKeyring, type FileKeyringOptions } from "./file.ts";
import { KeyNotFoundError, KeyringError, type KeyringErrorReason } from "./keyring.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PASSPHRASE = "correct horse battery staple";
const FIXTURE_DIR = fileURLToPath(new URL("../../tests/fixtures/keyring/aws-okta-go/", import.meta.url));
const isWindows = Deno.build.os === "windows";
/** The separator the keyring puts between its directory and an item's name. */
const SEP = isWindows ? "\\" : "/";
/** `text` matched literally in a RegExp (Windows paths are full of backslashes). */
const literal = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/** A temp dir for one test, removed afterwards. */
async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-keyring-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A FileKeyring whose passphrase source counts its calls. */
function counted(options: Partial<FileKeyringOptions> & { dir: string }, passphrase = PASSPHRASE) {
  const calls = { count: 0 };
  const kr = new FileKeyring({
    passphrase: () => {
      calls.count++;
      return Promise.resolve(passphrase);
    },
    ...options,
  });
  return { kr, calls };
}

async function keyringError(promise: Promise<unknown>, reason: KeyringErrorReason): Promise<KeyringError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof KeyringError, `expected KeyringError, got ${error}`);
    assert.equal(error.reason, reason, error.message);
    return error;
  }
  assert.fail(`expected a KeyringError (${reason})`);
}

async function joseEncrypt(plaintext: string, passphrase: string): Promise<string> {
  return await new CompactEncrypt(encoder.encode(plaintext))
    .setProtectedHeader({
      alg: "PBES2-HS256+A128KW",
      created: "2021-01-04 17:36:03 +0000 UTC",
      enc: "A256GCM",
    })
    .setKeyManagementParameters({ p2c: 8192, p2s: crypto.getRandomValues(new Uint8Array(12)) })
    .encrypt(encoder.encode(passphrase));
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("file keyring: set, get, keys, remove round trip", async () => {
  await withTempDir(async (dir) => {
    const { kr } = counted({ dir });
    assert.equal(kr.backend, "file");
    const data = crypto.getRandomValues(new Uint8Array(300));
    await kr.set({ key: "alpha", data, label: "a label", description: "a description" });
    await kr.set({ key: "beta", data: new Uint8Array(0) });
    assert.deepEqual(await kr.get("alpha"), {
      key: "alpha",
      data,
      label: "a label",
      description: "a description",
    });
    assert.deepEqual(await kr.get("beta"), { key: "beta", data: new Uint8Array(0) });
    assert.deepEqual(await kr.keys(), ["alpha", "beta"]);
    await kr.set({ key: "alpha", data: encoder.encode("replaced") });
    assert.equal(decoder.decode((await kr.get("alpha")).data), "replaced");
    await kr.remove("alpha");
    await kr.remove("alpha"); // idempotent
    assert.deepEqual(await kr.keys(), ["beta"]);
    await assert.rejects(kr.get("alpha"), KeyNotFoundError);
  });
});

Deno.test("file keyring: a missing item is KeyNotFoundError, without asking for the passphrase", async () => {
  await withTempDir(async (dir) => {
    const { kr, calls } = counted({ dir: `${dir}/does-not-exist` });
    await assert.rejects(kr.get("nope"), (error: unknown) => {
      assert.ok(error instanceof KeyNotFoundError);
      assert.equal(error.message, `no "nope" item in the file keyring`);
      assert.equal(error.key, "nope");
      return true;
    });
    assert.deepEqual(await kr.keys(), []);
    await kr.remove("nope");
    assert.equal(calls.count, 0);
  });
});

Deno.test("file keyring: the passphrase is asked at most once per instance", async () => {
  await withTempDir(async (dir) => {
    const { kr, calls } = counted({ dir });
    await Promise.all([
      kr.set({ key: "a", data: encoder.encode("1") }),
      kr.set({ key: "b", data: encoder.encode("2") }),
    ]);
    await Promise.all([kr.get("a"), kr.get("b"), kr.get("a")]);
    assert.equal(calls.count, 1);
  });
});

Deno.test("file keyring: files hold a JWE of the Go keyring item JSON, which jose opens", async () => {
  await withTempDir(async (dir) => {
    const { kr } = counted({ dir, now: () => new Date("2024-05-06T07:08:09.120Z") });
    await kr.set({ key: "okta-creds", data: encoder.encode(`{"a":"<&>"}`), label: "okta credentials" });
    const token = await Deno.readTextFile(`${dir}/okta-creds`);
    const { plaintext, protectedHeader } = await compactDecrypt(token, encoder.encode(PASSPHRASE), {
      keyManagementAlgorithms: ["PBES2-HS256+A128KW"],
    });
    assert.equal(
      decoder.decode(plaintext),
      `{"Key":"okta-creds","Data":"${btoa(`{"a":"<&>"}`)}","Label":"okta credentials","Description":"",` +
        `"KeychainNotTrustApplication":false,"KeychainNotSynchronizable":false}`,
    );
    assert.equal(protectedHeader.created, "2024-05-06 07:08:09.12 +0000 UTC");
    assert.equal(protectedHeader.p2c, 8192);
  });
});

Deno.test("file keyring: reads items jose wrote in the Go format, including null Data", async () => {
  await withTempDir(async (dir) => {
    const item = (key: string, data: string | null) =>
      JSON.stringify({
        Key: key,
        Data: data,
        Label: "lbl",
        Description: "",
        KeychainNotTrustApplication: false,
        KeychainNotSynchronizable: false,
      });
    await Deno.writeTextFile(
      `${dir}/with-data`,
      await joseEncrypt(item("with-data", btoa("raw\u0001bytes")), "pw"),
    );
    await Deno.writeTextFile(`${dir}/nil-data`, await joseEncrypt(item("nil-data", null), "pw"));
    const { kr } = counted({ dir }, "pw");
    assert.deepEqual(await kr.get("with-data"), {
      key: "with-data",
      data: encoder.encode("raw\u0001bytes"),
      label: "lbl",
    });
    assert.deepEqual(await kr.get("nil-data"), { key: "nil-data", data: new Uint8Array(0), label: "lbl" });
  });
});

Deno.test("file keyring: opens a store laid out by Go aws-okta (fixture)", async () => {
  const { kr } = counted({ dir: FIXTURE_DIR }, "fixture passphrase");
  assert.deepEqual(await kr.keys(), [
    "okta-creds",
    "okta-creds-work",
    "okta-dev session (0123456789abcdef0123)",
    "okta-session-cookie",
    "session-cache",
  ]);
  const creds = await kr.get("okta-creds");
  assert.equal(creds.label, "okta credentials");
  assert.deepEqual(JSON.parse(decoder.decode(creds.data)), {
    Organization: "",
    Username: "alice@example.com",
    Password: "fixture-password<&>",
    Domain: "acme.okta.com",
  });
  assert.equal(decoder.decode((await kr.get("okta-session-cookie")).data), "102fixtureSessionCookieValue");
});

Deno.test("file keyring: a wrong passphrase is a one-line error naming the file, never the passphrase", async () => {
  await withTempDir(async (dir) => {
    await counted({ dir }).kr.set({ key: "okta-creds", data: encoder.encode("secret data") });
    const wrong = "hunter2-wrong-passphrase";
    const error = await keyringError(counted({ dir }, wrong).kr.get("okta-creds"), "passphrase");
    assert.equal(error.message, `cannot unlock "${dir}${SEP}okta-creds": wrong passphrase`);
    assert.equal(error.hint, "check AWS_OKTA_FILE_PASSPHRASE or the passphrase you typed");
    assert.equal(error.exitCode, 1);
    const shown = `${error.message} ${error.hint} ${String(error.cause ?? "")}`;
    assert.ok(!shown.includes(wrong) && !shown.includes(PASSPHRASE) && !shown.includes("secret data"));
  });
});

Deno.test("file keyring: corrupted files are reported, never crash or return partial data", async () => {
  await withTempDir(async (dir) => {
    const { kr } = counted({ dir });
    await kr.set({ key: "good", data: encoder.encode("the secret") });
    const token = await Deno.readTextFile(`${dir}/good`);
    const parts = token.split(".");
    const notJsonItem = await joseEncrypt("this is not JSON: the secret", PASSPHRASE);
    const badBase64Item = await joseEncrypt(`{"Key":"k","Data":"not base64!"}`, PASSPHRASE);
    const wrongAlg = await new CompactEncrypt(encoder.encode("{}"))
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .encrypt(new Uint8Array(32));
    const flipped = Uint8Array.fromBase64(parts[3] ?? "", { alphabet: "base64url" });
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const cases: Array<[string, string, RegExp]> = [
      ["empty", "", /not a JWE compact token/],
      [
        "truncated",
        token.slice(0, Math.floor(token.length * 0.6)),
        /parts instead of 5|bytes instead of|base64url/,
      ],
      ["cut-tag", token.slice(0, token.length - 4), /authentication tag is \d+ bytes instead of 16/],
      ["garbage", "\u0000\u0001binary junk", /not a JWE compact token/],
      ["bad-base64", [parts[0], parts[1], "!!", parts[3], parts[4]].join("."), /IV is not base64url/],
      [
        "flipped",
        [parts[0], parts[1], parts[2], flipped.toBase64({ alphabet: "base64url" }), parts[4]].join("."),
        /content authentication failed/,
      ],
      ["bad-json", notJsonItem, /item is not JSON/],
      ["bad-data", badBase64Item, /item "Data" is not base64/],
      ["wrong-alg", wrongAlg, /unsupported algorithm "dir"/],
    ];
    for (const [name, content, detail] of cases) {
      await Deno.writeTextFile(`${dir}/${name}`, content);
      const error = await keyringError(kr.get(name), "corrupted");
      assert.match(
        error.message,
        new RegExp(`^keyring item "${literal(`${dir}${SEP}${name}`)}" is corrupted: `),
      );
      assert.match(error.message, detail, name);
      assert.equal(error.hint, "remove the file and log in again");
      assert.ok(!error.message.includes("\n"));
      assert.ok(!`${error.message}${String(error.cause ?? "")}`.includes("the secret"), name);
    }
  });
});

Deno.test("file keyring: a malformed file is reported without asking for the passphrase", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/broken`, "a.b.c");
    const { kr, calls } = counted({ dir });
    await keyringError(kr.get("broken"), "corrupted");
    assert.equal(calls.count, 0);
  });
});

Deno.test("file keyring: only '/' and '%' are escaped in file names", async () => {
  await withTempDir(async (dir) => {
    const { kr } = counted({ dir });
    const keys = [
      "a/b",
      "100%",
      "%2F",
      "oidc:https://x.awsapps.com/start",
      "okta-dev session (0123)",
      "ünï cødé",
    ];
    for (const key of keys) await kr.set({ key, data: encoder.encode(key) });
    assert.deepEqual(await listDir(dir), [
      "%252F",
      "100%25",
      "a%2Fb",
      "oidc:https:%2F%2Fx.awsapps.com%2Fstart",
      "okta-dev session (0123)",
      "ünï cødé",
    ]);
    assert.deepEqual(await kr.keys(), [...keys].sort());
    for (const key of keys) assert.equal(decoder.decode((await kr.get(key)).data), key);
  });
});

Deno.test("file keyring: keys that cannot be file names are rejected", async () => {
  await withTempDir(async (dir) => {
    const { kr } = counted({ dir });
    for (const key of ["", ".", "..", "a\0b"]) {
      const error = await keyringError(kr.set({ key, data: new Uint8Array(1) }), "invalid-key");
      assert.match(error.message, /^invalid keyring key "/);
      await keyringError(kr.get(key), "invalid-key");
      await keyringError(kr.remove(key), "invalid-key");
    }
    assert.deepEqual(await listDir(dir), []);
  });
});

Deno.test({
  name: "file keyring: directory is created 0700 and files 0600",
  ignore: isWindows, // Windows has no Unix modes: the profile directory is private to its user there
  fn: async () => {
    await withTempDir(async (dir) => {
      const store = `${dir}/nested/.aws-okta`;
      const { kr } = counted({ dir: store });
      await kr.set({ key: "k", data: new Uint8Array([1]) });
      assert.equal((await Deno.stat(store)).mode! & 0o777, 0o700);
      assert.equal((await Deno.stat(`${store}/k`)).mode! & 0o777, 0o600);
      // Replacing an item that was readable by others leaves a 0600 file.
      await Deno.chmod(`${store}/k`, 0o644);
      await kr.set({ key: "k", data: new Uint8Array([2]) });
      assert.equal((await Deno.stat(`${store}/k`)).mode! & 0o777, 0o600);
    });
  },
});

Deno.test("file keyring: writes leave no temp files, and a crashed writer's temp file is ignored", async () => {
  await withTempDir(async (dir) => {
    const { kr } = counted({ dir });
    for (let i = 0; i < 5; i++) await kr.set({ key: "k", data: encoder.encode(`v${i}`) });
    assert.deepEqual(await listDir(dir), ["k"]);
    // What a writer killed between create and rename leaves behind.
    await Deno.writeTextFile(`${dir}/%tmp-0123456789abcdef`, "eyJhbGciOi");
    assert.deepEqual(await kr.keys(), ["k"]);
    assert.equal(decoder.decode((await kr.get("k")).data), "v4");
  });
});

Deno.test("file keyring: a failed write is a KeyringError and leaves no temp file", async () => {
  await withTempDir(async (dir) => {
    const { kr } = counted({ dir });
    // A directory where the item file should go makes the final rename fail.
    await Deno.mkdir(`${dir}/blocked`);
    await Deno.writeTextFile(`${dir}/blocked/x`, "");
    const error = await keyringError(kr.set({ key: "blocked", data: encoder.encode("v") }), "io");
    assert.match(error.message, new RegExp(`^cannot write "${literal(`${dir}${SEP}blocked`)}": `));
    assert.deepEqual(await listDir(dir), ["blocked"]);
    assert.deepEqual(await kr.keys(), []);
  });
});

Deno.test("file keyring: concurrent writers and readers only ever see whole items", async () => {
  await withTempDir(async (dir) => {
    const { kr } = counted({ dir });
    const values = Array.from({ length: 12 }, (_, i) => `value-${i}-${"x".repeat(i * 50)}`);
    await kr.set({ key: "hot", data: encoder.encode("initial") });
    const reads: Promise<string>[] = [];
    const writes = values.map(async (value) => {
      reads.push(kr.get("hot").then((item) => decoder.decode(item.data)));
      await kr.set({ key: "hot", data: encoder.encode(value) });
    });
    await Promise.all(writes);
    for (const seen of await Promise.all(reads)) assert.ok(seen === "initial" || values.includes(seen), seen);
    assert.ok(values.includes(decoder.decode((await kr.get("hot")).data)));
    assert.deepEqual(await listDir(dir), ["hot"]);
  });
});

Deno.test("file keyring: a write under another passphrase than the stored items is refused, before any change", async () => {
  await withTempDir(async (dir) => {
    const first = counted({ dir }).kr;
    await first.set({ key: "okta-creds", data: encoder.encode("secret") });
    await first.set({ key: "dev session (0)", data: encoder.encode("cached") });
    const before = await listDir(dir);
    for (
      const write of [
        (kr: FileKeyring) => kr.set({ key: "okta-session-cookie", data: encoder.encode("sid") }),
        (kr: FileKeyring) => kr.set({ key: "okta-creds", data: encoder.encode("new") }),
        (kr: FileKeyring) => kr.checkWritable(),
      ]
    ) {
      const error = await keyringError(write(counted({ dir }, "another passphrase").kr), "passphrase");
      assert.match(error.message, /^cannot unlock ".*(okta-creds|dev session \(0\))": wrong passphrase$/);
      assert.match(error.hint ?? "", /a keyring has one passphrase/);
    }
    assert.deepEqual(await listDir(dir), before);
    const again = counted({ dir }).kr;
    assert.equal(decoder.decode((await again.get("okta-creds")).data), "secret");
    // The right passphrase writes, with one question.
    const right = counted({ dir });
    await right.kr.set({ key: "okta-session-cookie", data: encoder.encode("sid") });
    await right.kr.get("okta-session-cookie");
    assert.equal(right.calls.count, 1);
  });
});

Deno.test("file keyring: the passphrase is asked to create a new keyring, else to unlock", async () => {
  await withTempDir(async (dir) => {
    const purposes: string[] = [];
    const open = () =>
      new FileKeyring({
        dir,
        passphrase: (purpose) => {
          purposes.push(purpose);
          return Promise.resolve(PASSPHRASE);
        },
      });
    await open().set({ key: "a", data: encoder.encode("1") });
    await open().set({ key: "b", data: encoder.encode("2") });
    await open().get("a");
    await open().checkWritable();
    assert.deepEqual(purposes, ["create", "unlock", "unlock", "unlock"]);
  });
});

Deno.test("file keyring: an empty passphrase is a valid passphrase", async () => {
  await withTempDir(async (dir) => {
    await counted({ dir }, "").kr.set({ key: "k", data: encoder.encode("v") });
    assert.equal(decoder.decode((await counted({ dir }, "").kr.get("k")).data), "v");
    await keyringError(counted({ dir }, "x").kr.get("k"), "passphrase");
  });
});

Deno.test("file keyring: I/O failures are KeyringError", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "");
    const { kr } = counted({ dir: `${dir}/file` });
    await keyringError(kr.set({ key: "k", data: new Uint8Array(1) }), "io");
    await keyringError(kr.keys(), "io");
    await Deno.mkdir(`${dir}/store/item-as-dir`, { recursive: true });
    const error = await keyringError(counted({ dir: `${dir}/store` }).kr.get("item-as-dir"), "io");
    assert.match(error.message, /^cannot read "/);
  });
});
