/**
 * Fuzzing of the file keyring's JWE reader: random strings, random five-part tokens and every kind
 * of damage to a real token (a character changed, removed or added, a part cut short) are refused
 * with a JweError, and never open to other content. Through FileKeyring, a damaged item file is a
 * one-line KeyringError. `make test` runs a sample; `make fuzz` runs FUZZ_RUNS inputs per property.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { fuzzParameters } from "../../tests/fuzz_runs.ts";
import { formatError } from "../errors.ts";
import { FileKeyring } from "./file.ts";
import { decryptJwe, encryptJwe, JweError, parseJwe } from "./jwe.ts";
import { KeyringError } from "./keyring.ts";

const encoder = new TextEncoder();
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Mutated tokens may raise the PBKDF2 count; above this only parsing is checked, to keep runs short. */
const MAX_DECRYPT_P2C = 20_000;

const plaintext = encoder.encode('{"Key":"okta-creds","Data":"c2VjcmV0","Label":"okta credentials"}');
const token = await encryptJwe(plaintext, "right passphrase", { p2c: 1000 });

Deno.test("fuzz: parseJwe refuses random text and random five-part tokens with a JweError only", () => {
  const part = fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 60 });
  const input = fc.oneof(
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.array(part, { minLength: 5, maxLength: 5 }).map((parts) => parts.join(".")),
    fc.tuple(fc.jsonValue(), fc.array(part, { minLength: 4, maxLength: 4 })).map(([header, parts]) =>
      [
        encoder.encode(JSON.stringify(header) ?? "null").toBase64({
          alphabet: "base64url",
          omitPadding: true,
        }),
        ...parts,
      ]
        .join(".")
    ),
  );
  fc.assert(
    fc.property(input, (text) => {
      try {
        parseJwe(text);
      } catch (error) {
        assert.ok(error instanceof JweError && error.kind === "format", String(error));
        assert.ok(!error.message.includes("\n"));
        return;
      }
      // Random parts with the exact sizes of a valid token are possible, if rare: fine.
    }),
    fuzzParameters(500),
  );
});

/** A damaged copy of `token`: one edit somewhere in it. */
const damage = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom("replace", "remove", "insert", "truncate"),
  char: fc.constantFrom(...BASE64URL, ".", "=", " ", "\n", "\u00e9"),
}).map(({ at, kind, char }) => {
  const i = at % token.length;
  switch (kind) {
    case "replace":
      return token.slice(0, i) + (token[i] === char ? (char === "A" ? "B" : "A") : char) + token.slice(i + 1);
    case "remove":
      return token.slice(0, i) + token.slice(i + 1);
    case "insert":
      return token.slice(0, i) + char + token.slice(i);
    default:
      return token.slice(0, i);
  }
});

Deno.test("fuzz: a damaged token is refused with a JweError and never opens to other content", async () => {
  await fc.assert(
    fc.asyncProperty(
      damage,
      fc.constantFrom("right passphrase", "wrong passphrase"),
      async (text, passphrase) => {
        let parsed;
        try {
          parsed = parseJwe(text);
        } catch (error) {
          assert.ok(error instanceof JweError, String(error));
          return;
        }
        if (parsed.p2c > MAX_DECRYPT_P2C) return;
        try {
          const opened = await decryptJwe(parsed, passphrase);
          // Only edits that do not change the bytes (base64url's unused low bits, trailing whitespace) may open.
          assert.equal(passphrase, "right passphrase");
          assert.deepEqual(opened, plaintext);
        } catch (error) {
          assert.ok(error instanceof JweError, String(error));
          assert.ok(
            error.kind === "key" || error.kind === "integrity" || error.kind === "format",
            error.kind,
          );
        }
      },
    ),
    fuzzParameters(200),
  );
});

Deno.test("fuzz: FileKeyring reports a damaged item file as one line naming the file, without the passphrase", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-jwe-fuzz-" });
  try {
    const keyring = new FileKeyring({ dir, passphrase: () => Promise.resolve("right passphrase") });
    const contents = fc.oneof(damage, fc.string({ unit: "binary", maxLength: 100 }));
    await fc.assert(
      fc.asyncProperty(contents, async (text) => {
        await Deno.writeTextFile(`${dir}/okta-creds`, text);
        try {
          const item = await keyring.get("okta-creds");
          assert.equal(item.key, "okta-creds");
        } catch (error) {
          assert.ok(error instanceof KeyringError, String(error));
          const line = formatError(error);
          assert.match(line, /okta-creds/);
          assert.ok(!line.includes("right passphrase") && !line.includes("\n"), line);
        }
      }),
      // Each decryption runs PBKDF2, so this property gets a smaller share of the runs.
      { ...fuzzParameters(100), numRuns: Math.ceil(fuzzParameters(100).numRuns / 4) },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
