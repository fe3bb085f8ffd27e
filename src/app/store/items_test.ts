import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { AppError } from "../../errors.ts";
import { FileKeyring } from "../../keyring/file.ts";
import {
  type CachedSession,
  getOktaCredentials,
  getSecretString,
  oktaCredentialsKey,
  SessionCache,
  setOktaCredentials,
  setSecretString,
} from "./items.ts";
import type { WithLock } from "../../fs/lock.ts";
import { KeyNotFoundError, type Keyring, KeyringError, type KeyringItem } from "../../keyring/keyring.ts";
import { MemoryKeyring } from "../../keyring/memory.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const FIXTURE_DIR = fileURLToPath(new URL("../../../tests/fixtures/keyring/aws-okta-go/", import.meta.url));

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-items-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function fileKeyring(dir: string, passphrase = "pw"): FileKeyring {
  return new FileKeyring({ dir, passphrase: () => Promise.resolve(passphrase) });
}

function session(n: number, expiration = "2031-01-04T17:36:03Z"): CachedSession {
  return {
    Name: `profile-${n}`,
    AccessKeyId: `ASIAKEY${n}`,
    SecretAccessKey: `secret-access-key-${n}`,
    SessionToken: `session-token-${n}`,
    Expiration: expiration,
  };
}

function text(item: KeyringItem): string {
  return decoder.decode(item.data);
}

/** A test-only cross-process lock: an exclusive flock on one file per name, as the app's locker does. */
function fileLock(dir: string): WithLock {
  return async (name, fn) => {
    const file = await Deno.open(`${dir}/${name}.lock`, { create: true, write: true });
    try {
      await file.lock(true);
      return await fn();
    } finally {
      file.close(); // closing releases the lock
    }
  };
}

/** Collects every string a user or a debug log could see for an error. */
function visible(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    parts.push(String(e));
    if (e instanceof AppError && e.hint) parts.push(e.hint);
    if (e instanceof Error && e.stack) parts.push(e.stack);
    if (!(e instanceof Error)) break;
  }
  return parts.join("\n");
}

Deno.test("oktaCredentialsKey names the default and per-account items", () => {
  assert.equal(oktaCredentialsKey(), "okta-creds");
  assert.equal(oktaCredentialsKey(""), "okta-creds");
  assert.equal(oktaCredentialsKey("work"), "okta-creds-work");
});

Deno.test("Okta credentials round trip as Go aws-okta's JSON with label 'okta credentials'", async () => {
  const kr = new MemoryKeyring();
  const creds = { Organization: "", Username: "alice", Password: "p<&>ss", Domain: "acme.okta.com" };
  await setOktaCredentials(kr, "okta-creds", creds);
  const item = await kr.get("okta-creds");
  assert.equal(item.label, "okta credentials");
  assert.equal(
    text(item),
    `{"Organization":"","Username":"alice","Password":"p\\u003c\\u0026\\u003ess","Domain":"acme.okta.com"}`,
  );
  assert.deepEqual(await getOktaCredentials(kr, "okta-creds"), creds);
});

Deno.test("missing Okta credentials say how to add them", async () => {
  const kr = new MemoryKeyring();
  for (
    const [key, hint] of [
      ["okta-creds", `run "aws-okta add"`],
      ["okta-creds-work", `run "aws-okta add --account work"`],
    ]
  ) {
    await assert.rejects(getOktaCredentials(kr, key!), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.ok(!(error instanceof KeyNotFoundError));
      assert.equal(error.message, `no Okta credentials stored under "${key}"`);
      assert.equal(error.hint, hint);
      return true;
    });
  }
});

Deno.test("Okta credentials: missing fields read as empty (like Go), wrong types are corruption", async () => {
  const kr = new MemoryKeyring([
    { key: "partial", data: encoder.encode(`{"Username":"u","Password":"pw"}`) },
    { key: "bad-type", data: encoder.encode(`{"Username":"u","Password":"very-secret-pw","Domain":7}`) },
    { key: "not-json", data: encoder.encode(`Password: very-secret-pw`) },
  ]);
  assert.deepEqual(await getOktaCredentials(kr, "partial"), {
    Organization: "",
    Username: "u",
    Password: "pw",
    Domain: "",
  });
  for (const key of ["bad-type", "not-json"]) {
    await assert.rejects(getOktaCredentials(kr, key), (error: unknown) => {
      assert.ok(error instanceof KeyringError);
      assert.equal(error.reason, "corrupted");
      assert.equal(
        error.message,
        `Okta credentials under "${key}" are corrupted: not a JSON object of strings`,
      );
      assert.equal(error.hint, `run "aws-okta add" to store them again`);
      assert.ok(!visible(error).includes("very-secret-pw"));
      return true;
    });
  }
});

Deno.test("secret strings: raw UTF-8 bytes, undefined when missing", async () => {
  const kr = new MemoryKeyring();
  assert.equal(await getSecretString(kr, "okta-session-cookie"), undefined);
  await setSecretString(kr, "okta-session-cookie", "102cookie✓", "okta session cookie");
  const item = await kr.get("okta-session-cookie");
  assert.deepEqual(item.data, encoder.encode("102cookie✓"));
  assert.equal(item.label, "okta session cookie");
  assert.equal(await getSecretString(kr, "okta-session-cookie"), "102cookie✓");
});

Deno.test("typed items read a store written like Go aws-okta (fixture)", async () => {
  const kr = fileKeyring(FIXTURE_DIR, "fixture passphrase");
  assert.deepEqual(await getOktaCredentials(kr, oktaCredentialsKey()), {
    Organization: "",
    Username: "alice@example.com",
    Password: "fixture-password<&>",
    Domain: "acme.okta.com",
  });
  assert.deepEqual(await getOktaCredentials(kr, oktaCredentialsKey("work")), {
    Organization: "work",
    Username: "bob",
    Password: "fixture-password-2",
    Domain: "",
  });
  assert.equal(await getSecretString(kr, "okta-session-cookie"), "102fixtureSessionCookieValue");
  assert.equal(await getSecretString(kr, "okta-device-token-cookie"), undefined);
  const perItem = new SessionCache(kr, { singleItem: false });
  assert.deepEqual(await perItem.get("okta-dev session (0123456789abcdef0123)"), {
    Name: "okta-dev",
    AccessKeyId: "ASIAFIXTUREKEYID0001",
    SecretAccessKey: "fixtureSecretAccessKey0001",
    SessionToken: "fixtureSessionToken0001",
    Expiration: "2031-01-04T17:36:03Z",
  });
  const single = new SessionCache(kr, { singleItem: true });
  assert.deepEqual(await single.get("okta-prod session (abcdef0123456789abcd)"), {
    Name: "okta-prod",
    AccessKeyId: "ASIAFIXTUREKEYID0002",
    SecretAccessKey: "fixtureSecretAccessKey0002",
    SessionToken: "fixtureSessionToken0002",
    Expiration: "2031-01-04T16:36:03Z", // "17:36:03.5+01:00", in UTC, truncated to the second
  });
});

Deno.test("per-item session cache: Go's JSON layout, label as given", async () => {
  const kr = new MemoryKeyring();
  const cache = new SessionCache(kr, { singleItem: false });
  const key = "okta-dev session (0123456789abcdef0123)";
  assert.equal(await cache.get(key), undefined);
  await cache.put(
    key,
    { ...session(1), AssumedRoleArn: "arn:aws:iam::1:role/r" },
    "aws session for okta-dev",
  );
  const item = await kr.get(key);
  assert.equal(item.label, "aws session for okta-dev");
  assert.equal(
    text(item),
    `{"Name":"profile-1","AccessKeyId":"ASIAKEY1","Expiration":"2031-01-04T17:36:03Z",` +
      `"SecretAccessKey":"secret-access-key-1","SessionToken":"session-token-1",` +
      `"AssumedRoleArn":"arn:aws:iam::1:role/r"}`,
  );
  assert.deepEqual(await cache.get(key), { ...session(1), AssumedRoleArn: "arn:aws:iam::1:role/r" });
  await cache.remove(key);
  await cache.remove(key);
  assert.equal(await cache.get(key), undefined);
  assert.deepEqual(await kr.keys(), []);
});

Deno.test("session cache: unreadable entries are misses", async () => {
  const kr = new MemoryKeyring([
    { key: "not-json", data: encoder.encode("{") },
    { key: "array", data: encoder.encode("[]") },
    { key: "no-token", data: encoder.encode(JSON.stringify({ ...session(1), SessionToken: "" })) },
    { key: "bad-date", data: encoder.encode(JSON.stringify({ ...session(1), Expiration: "soon" })) },
    { key: "number-key", data: encoder.encode(JSON.stringify({ ...session(1), AccessKeyId: 5 })) },
    { key: "session-cache", data: encoder.encode(`{"Sessions":[1,2]}`) },
  ]);
  const cache = new SessionCache(kr, { singleItem: false });
  for (const key of ["not-json", "array", "no-token", "bad-date", "number-key"]) {
    assert.equal(await cache.get(key), undefined, key);
  }
  assert.equal(await new SessionCache(kr, { singleItem: true }).get("x"), undefined);
});

Deno.test("session cache: a corrupted file is a miss, a wrong passphrase is thrown", async () => {
  await withTempDir(async (dir) => {
    const key = "okta-dev session (0123)";
    await Deno.writeTextFile(`${dir}/${key}`, "truncated.jwe");
    await Deno.writeTextFile(`${dir}/session-cache`, "");
    assert.equal(await new SessionCache(fileKeyring(dir), { singleItem: false }).get(key), undefined);
    assert.equal(await new SessionCache(fileKeyring(dir), { singleItem: true }).get(key), undefined);

    // A corrupted single item is replaced on the next put.
    const single = new SessionCache(fileKeyring(dir), { singleItem: true });
    await single.put(key, session(1), "unused");
    assert.deepEqual(await single.get(key), session(1));

    for (const singleItem of [false, true]) {
      const wrong = new SessionCache(fileKeyring(dir, "wrong"), { singleItem });
      await new SessionCache(fileKeyring(dir), { singleItem }).put(key, session(2), "l");
      await assert.rejects(wrong.get(key), (error: unknown) => {
        assert.ok(error instanceof KeyringError);
        assert.equal(error.reason, "passphrase");
        assert.ok(!visible(error).includes("secret-access-key-2"));
        return true;
      });
      if (singleItem) await assert.rejects(wrong.put("other", session(3), "l"), KeyringError);
    }
  });
});

Deno.test("session cache: Go-style expirations are normalized to RFC 3339 UTC seconds", async () => {
  const cases: Array<[string, string]> = [
    ["2021-01-04T17:36:03Z", "2021-01-04T17:36:03Z"],
    ["2021-01-04T17:36:03.999999999Z", "2021-01-04T17:36:03Z"],
    ["2021-01-04T18:36:03+01:00", "2021-01-04T17:36:03Z"],
  ];
  for (const [stored, expected] of cases) {
    const kr = new MemoryKeyring([{ key: "k", data: encoder.encode(JSON.stringify(session(1, stored))) }]);
    assert.equal((await new SessionCache(kr, { singleItem: false }).get("k"))?.Expiration, expected);
  }
});

Deno.test("single-item session cache: one 'session-cache' item holding every session", async () => {
  const kr = new MemoryKeyring();
  const cache = new SessionCache(kr, { singleItem: true, now: () => new Date("2030-01-01T00:00:00Z") });
  await cache.put("a session (1)", session(1), "ignored label");
  await cache.put("b session (2)", session(2), "ignored label");
  await cache.put("__proto__", session(3), "ignored label");
  assert.deepEqual(await kr.keys(), ["session-cache"]);
  const item = await kr.get("session-cache");
  assert.equal(item.label, "aws-okta session cache");
  const root = JSON.parse(text(item));
  assert.deepEqual(Object.keys(root), ["Sessions"]);
  assert.deepEqual(Object.keys(root.Sessions), ["a session (1)", "b session (2)", "__proto__"]);
  assert.deepEqual(await cache.get("a session (1)"), session(1));
  assert.deepEqual(await cache.get("__proto__"), session(3));
  assert.equal(await cache.get("toString"), undefined);
  assert.equal(await cache.get("missing"), undefined);
  await cache.remove("a session (1)");
  await cache.remove("a session (1)");
  assert.equal(await cache.get("a session (1)"), undefined);
  assert.deepEqual(await cache.get("b session (2)"), session(2));
});

Deno.test("single-item session cache: expired entries are dropped on write", async () => {
  let now = new Date("2030-01-01T00:00:00Z");
  const kr = new MemoryKeyring();
  const cache = new SessionCache(kr, { singleItem: true, now: () => now });
  await cache.put("short", session(1, "2030-01-01T01:00:00Z"), "l");
  await cache.put("long", session(2, "2030-01-02T00:00:00Z"), "l");
  now = new Date("2030-01-01T01:00:00Z"); // "short" expires exactly now
  assert.deepEqual(await cache.get("short"), session(1, "2030-01-01T01:00:00Z")); // reads do not judge expiry
  await cache.put("new", session(3, "2030-01-01T02:00:00Z"), "l");
  assert.deepEqual(Object.keys(JSON.parse(text(await kr.get("session-cache"))).Sessions), ["long", "new"]);
});

Deno.test("single-item session cache: concurrent puts through a file lock lose no session", async () => {
  await withTempDir(async (dir) => {
    const withLock = fileLock(dir);
    // Separate keyring and cache instances, as separate processes would have.
    const puts = Array.from({ length: 16 }, (_, i) => {
      const cache = new SessionCache(fileKeyring(`${dir}/store`), { singleItem: true, withLock });
      return cache.put(`s${i}`, session(i), "l");
    });
    await Promise.all(puts);
    const cache = new SessionCache(fileKeyring(`${dir}/store`), { singleItem: true });
    for (let i = 0; i < 16; i++) assert.deepEqual(await cache.get(`s${i}`), session(i), `s${i}`);
  });
});

Deno.test("single-item session cache: without a lock option, writers in one process take turns", async () => {
  const kr = new MemoryKeyring();
  const caches = [new SessionCache(kr, { singleItem: true }), new SessionCache(kr, { singleItem: true })];
  await Promise.all(Array.from({ length: 20 }, (_, i) => caches[i % 2]!.put(`s${i}`, session(i), "l")));
  await Promise.all(Array.from({ length: 10 }, (_, i) => caches[i % 2]!.remove(`s${i}`)));
  const keys = Object.keys(JSON.parse(text(await kr.get("session-cache"))).Sessions).sort();
  assert.deepEqual(keys, Array.from({ length: 10 }, (_, i) => `s${i + 10}`).sort());
});

Deno.test("single-item session cache: the lock matters (control: a no-op lock loses updates)", async () => {
  const kr = new MemoryKeyring();
  const noLock: WithLock = (_name, fn) => fn();
  const cache = new SessionCache(kr, { singleItem: true, withLock: noLock });
  await Promise.all(Array.from({ length: 8 }, (_, i) => cache.put(`s${i}`, session(i), "l")));
  const kept = Object.keys(JSON.parse(text(await kr.get("session-cache"))).Sessions);
  assert.ok(kept.length < 8, `expected lost updates without a lock, kept ${kept.length}`);
});

Deno.test("single-item session cache: the lock is taken under the name 'session-cache' and released on error", async () => {
  const names: string[] = [];
  const failing: Keyring = {
    backend: "failing",
    get: (key) => Promise.reject(new KeyNotFoundError(key, "failing")),
    set: () => Promise.reject(new KeyringError("cannot write: disk full")),
    remove: () => Promise.resolve(),
    keys: () => Promise.resolve([]),
  };
  let held = 0;
  const withLock: WithLock = async (name, fn) => {
    names.push(name);
    held++;
    try {
      return await fn();
    } finally {
      held--;
    }
  };
  const cache = new SessionCache(failing, { singleItem: true, withLock });
  await assert.rejects(cache.put("k", session(1), "l"), /disk full/);
  assert.deepEqual(names, ["session-cache"]);
  assert.equal(held, 0);
  // The default in-process lock must not stay poisoned by a failed writer.
  const defaultLocked = new SessionCache(failing, { singleItem: true });
  await assert.rejects(defaultLocked.put("k", session(1), "l"), /disk full/);
  await assert.rejects(defaultLocked.put("k", session(1), "l"), /disk full/);
});

Deno.test("no secret appears in keyring error messages", async () => {
  await withTempDir(async (dir) => {
    const secrets = ["PASS-WORD-123", "pass phrase 456", "SECRET-KEY-789", "COOKIE-000"];
    const kr = fileKeyring(dir, "pass phrase 456");
    await setOktaCredentials(kr, "okta-creds", {
      Organization: "",
      Username: "u",
      Password: "PASS-WORD-123",
      Domain: "d",
    });
    await setSecretString(kr, "okta-session-cookie", "COOKIE-000", "c");
    await new SessionCache(kr, { singleItem: false }).put("s", {
      ...session(1),
      SecretAccessKey: "SECRET-KEY-789",
    }, "l");
    const errors: unknown[] = [];
    const capture = async (promise: Promise<unknown>) => {
      try {
        await promise;
        assert.fail("expected an error");
      } catch (error) {
        errors.push(error);
      }
    };
    const wrong = fileKeyring(dir, "wrong");
    await capture(getOktaCredentials(wrong, "okta-creds"));
    await capture(getSecretString(wrong, "okta-session-cookie"));
    await capture(new SessionCache(wrong, { singleItem: false }).get("s"));
    await capture(getOktaCredentials(kr, "okta-creds-missing"));
    const mem = new MemoryKeyring([{
      key: "okta-creds",
      data: encoder.encode(`{"Password":PASS-WORD-123}`),
    }]);
    await capture(getOktaCredentials(mem, "okta-creds"));
    // Corrupt a file's tail: the decryption error must not echo content.
    const token = await Deno.readTextFile(`${dir}/okta-creds`);
    await Deno.writeTextFile(`${dir}/okta-creds`, `${token.slice(0, -3)}AAA`);
    await capture(getOktaCredentials(kr, "okta-creds"));
    assert.equal(errors.length, 6);
    for (const error of errors) {
      assert.ok(error instanceof AppError, String(error));
      const shown = visible(error);
      for (const secret of secrets) {
        assert.ok(!shown.includes(secret), `"${secret}" leaked in: ${error.message}`);
      }
    }
  });
});
