/**
 * The encrypted-file backend, byte-compatible with 99designs/keyring's file backend (used by Go
 * aws-okta), so an existing `~/.aws-okta/` opens as is: one file per item, named by
 * file_name.ts, holding a PBES2/A256GCM JWE (jwe.ts) of the Go item JSON (item_json.ts).
 *
 * Unlike the Go backend, writes are atomic (temp file, fsync, rename), so a crash or a concurrent
 * reader never sees half an item.
 *
 * @module
 */

import { goTimeString } from "./go_json.ts";
import { decodeItem, encodeItem, ItemFormatError } from "./item_json.ts";
import { decryptJwe, encryptJwe, JweError, type ParsedJwe, parseJwe } from "./jwe.ts";
import { decodeKeyFileName, encodeKeyFileName, tempFileName } from "./file_name.ts";
import { checkKey, KeyNotFoundError, type Keyring, KeyringError, type KeyringItem } from "./keyring.ts";

/** Options for {@linkcode FileKeyring}. */
export interface FileKeyringOptions {
  /** The directory holding the item files (created 0700 on first write). */
  dir: string;
  /**
   * Supplies the passphrase; called at most once per instance, and only when an item is read or
   * written. `purpose` is "create" when the first write goes to a keyring with no items yet (a
   * prompt then asks for the new passphrase twice), else "unlock".
   */
  passphrase: (purpose: PassphrasePurpose) => Promise<string>;
  /** The clock for the "created" header (tests). */
  now?: () => Date;
}

/** Why the passphrase is asked for: to open existing items, or to create the keyring's first item. */
export type PassphrasePurpose = "unlock" | "create";

/** A {@linkcode Keyring} of passphrase-encrypted files in one directory. */
export class FileKeyring implements Keyring {
  /** Always "file". */
  readonly backend = "file";
  /** The directory holding the item files. */
  readonly dir: string;
  readonly #passphraseSource: (purpose: PassphrasePurpose) => Promise<string>;
  readonly #now: () => Date;
  #passphrase: Promise<string> | undefined;
  /** The passphrase is known to open the items already here (or there were none). */
  #verified = false;

  constructor(options: FileKeyringOptions) {
    this.dir = options.dir;
    this.#passphraseSource = options.passphrase;
    this.#now = options.now ?? (() => new Date());
  }

  /** The path of the file that holds `key`. */
  pathOf(key: string): string {
    // "." and ".." would name the directory itself or its parent.
    checkKey(key, (k) => k !== "." && k !== "..");
    return joinPath(this.dir, encodeKeyFileName(key));
  }

  /** Reads and decrypts an item: one file read, one PBKDF2, one unwrap, one decrypt. */
  async get(key: string): Promise<KeyringItem> {
    const path = this.pathOf(key);
    let token: string;
    try {
      // Synchronous: an item is a few kilobytes, and this read is on every cred-process call, where
      // a thread-pool round trip costs more than the read itself.
      token = Deno.readTextFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new KeyNotFoundError(key, this.backend);
      throw ioError(`cannot read "${path}"`, error);
    }
    let jwe: ParsedJwe;
    try {
      jwe = parseJwe(token);
    } catch (error) {
      throw corrupted(path, error);
    }
    // Parsed before unlocking, so a damaged file is reported without a passphrase prompt.
    const passphrase = await this.#unlock("unlock");
    let plaintext: Uint8Array;
    try {
      plaintext = await decryptJwe(jwe, passphrase);
    } catch (error) {
      if (error instanceof JweError && error.kind === "key") {
        throw new KeyringError(`cannot unlock "${path}": wrong passphrase`, {
          reason: "passphrase",
          hint: "check AWS_OKTA_FILE_PASSPHRASE or the passphrase you typed",
        });
      }
      throw corrupted(path, error);
    }
    this.#verified = true;
    try {
      const item = decodeItem(plaintext);
      // Go never writes an item under another file name; if one was copied there, the file name wins.
      item.key = key;
      return item;
    } catch (error) {
      throw corrupted(path, error);
    } finally {
      plaintext.fill(0);
    }
  }

  /**
   * Encrypts and writes an item atomically (temp file 0600, fsync, rename over). The first write of
   * an instance that has read nothing checks the passphrase against an item already here, so that
   * one keyring never holds items under two passphrases.
   */
  async set(item: KeyringItem): Promise<void> {
    const path = this.pathOf(item.key);
    const passphrase = await this.#unlockForWrite();
    const plaintext = encodeItem(item);
    const token = await encryptJwe(plaintext, passphrase, { created: goTimeString(this.#now()) });
    plaintext.fill(0);
    try {
      await Deno.mkdir(this.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw ioError(`cannot create keyring directory "${this.dir}"`, error);
    }
    await writeAtomically(path, new TextEncoder().encode(token));
  }

  /** Deletes an item's file; a missing file is fine. */
  async remove(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await Deno.remove(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw ioError(`cannot remove "${path}"`, error);
    }
  }

  /** The keys of the item files in the directory (none when it does not exist), sorted. */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.dir)) {
        if (entry.isDirectory) continue;
        const key = decodeKeyFileName(entry.name);
        if (key !== undefined) keys.push(key);
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw ioError(`cannot list keyring directory "${this.dir}"`, error);
    }
    return keys.sort();
  }

  /**
   * Creates the directory if needed and creates and removes a temp file in it; then settles the
   * passphrase a write would use (asked for, and checked against the items already here).
   */
  async checkWritable(): Promise<void> {
    const hint = "make it writable, or set AWS_OKTA_FILE_DIR to a writable directory";
    try {
      await Deno.mkdir(this.dir, { recursive: true, mode: 0o700 });
      const probe = joinPath(this.dir, tempFileName());
      (await Deno.open(probe, { createNew: true, write: true, mode: 0o600 })).close();
      await Deno.remove(probe);
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw error;
      throw new KeyringError(`cannot write to the keyring directory "${this.dir}": ${osReason(error)}`, {
        reason: "io",
        hint,
        cause: error,
      });
    }
    await this.#unlockForWrite();
  }

  #unlock(purpose: PassphrasePurpose): Promise<string> {
    this.#passphrase ??= this.#passphraseSource(purpose);
    return this.#passphrase;
  }

  async #unlockForWrite(): Promise<string> {
    if (this.#verified) return await this.#unlock("unlock");
    const sample = await this.#anyItem();
    const passphrase = await this.#unlock(sample ? "unlock" : "create");
    if (sample) {
      try {
        (await decryptJwe(sample.jwe, passphrase)).fill(0);
      } catch (error) {
        if (error instanceof JweError && error.kind === "key") {
          // Said as a read says it: the same mistake, whichever came first.
          throw new KeyringError(`cannot unlock "${sample.path}": wrong passphrase`, {
            reason: "passphrase",
            hint: "a keyring has one passphrase: use the one its items were stored with " +
              "(check AWS_OKTA_FILE_PASSPHRASE or what you typed), or move the directory away to start a new one",
          });
        }
        // A damaged item proves nothing either way; it is reported when it is read.
      }
    }
    this.#verified = true;
    return passphrase;
  }

  /** Some readable item file of this keyring, parsed, or undefined when there is none. */
  async #anyItem(): Promise<{ path: string; jwe: ParsedJwe } | undefined> {
    for (const key of await this.keys()) {
      const path = this.pathOf(key);
      try {
        return { path, jwe: parseJwe(Deno.readTextFileSync(path)) };
      } catch {
        // Unreadable or damaged: try another.
      }
    }
    return undefined;
  }
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  try {
    // Loaded here: a cache hit only reads.
    const { writeFileAtomic } = await import("../fs/atomic_write.ts");
    // The keyring's own temp name: keys() can never mistake it for an item.
    await writeFileAtomic(path, bytes, {
      mode: 0o600,
      tempName: tempFileName(),
      tempPattern: /^%tmp-[0-9a-f]{16}$/,
    });
  } catch (error) {
    throw ioError(`cannot write "${path}"`, error);
  }
}

function joinPath(dir: string, name: string): string {
  if (dir.endsWith("/") || (Deno.build.os === "windows" && dir.endsWith("\\"))) return `${dir}${name}`;
  return `${dir}${Deno.build.os === "windows" ? "\\" : "/"}${name}`;
}

function corrupted(path: string, error: unknown): KeyringError {
  const detail = error instanceof JweError || error instanceof ItemFormatError ? error.message : "unreadable";
  return new KeyringError(`keyring item "${path}" is corrupted: ${detail}`, {
    reason: "corrupted",
    hint: "remove the file and log in again",
  });
}

/** "permission denied", "read-only file system", ...: the OS's words without the call and path. */
function osReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message.split("\n")[0]!.replace(/ \(os error \d+\).*$/, "").replace(
    /^[A-Z]/,
    (c) => c.toLowerCase(),
  );
}

function ioError(message: string, error: unknown): KeyringError {
  const detail = error instanceof Error ? error.message : String(error);
  return new KeyringError(`${message}: ${detail}`, { reason: "io", cause: error });
}
