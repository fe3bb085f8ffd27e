/**
 * A short-lived copy of decrypted pass entries in the Linux kernel's key retention service
 * (keyrings(7)), so that a cached credential_process call does not pay gpg-agent's private-key
 * operation on every call (~10 ms for an RSA-3072 key in libgcrypt, more than the rest of our
 * cache hit's own work).
 *
 * What is kept, where, and who can read it:
 * - one "user" key per entry in the session keyring (`@s`: the login session's, shared by the
 *   shell and everything it starts; the user-session keyring when a process has none), described
 *   `aws-okta:pass:<entry file>`;
 * - readable by possessors only (no "user", "group" or "other" permissions), the processes whose
 *   session keyring holds it: fewer than can ask gpg-agent to decrypt the entry;
 * - for {@linkcode CACHE_SECONDS} from the gpg decryption that filled it (gpg-agent's own
 *   default-cache-ttl), never renewed by a read: nothing is served after the point where gpg-agent
 *   would have needed the key's passphrase again;
 * - bound to the entry file: its length and its last 32 bytes (the end of the data encrypted under
 *   that write's random session key) must match, so a rewrite by anyone (Go aws-okta, `pass
 *   insert`, this tool) is a miss, and writes and removals through the keyring drop the copy.
 *
 * Through libc's syscall(2) with `Deno.dlopen`, so no libkeyutils is needed. The symbols are
 * nonblocking: a synchronous FFI symbol costs ~3 ms and ~5 MB of memory to set up here, a
 * nonblocking one about half the time and none of the memory. Anything refused (another OS, a
 * container whose seccomp filter blocks keyctl, the kernel's key quota) is a miss, never an error.
 * AWS_OKTA_PASS_KERNEL_CACHE=0 turns it off.
 *
 * @module
 */

import { cString, keepAlive } from "../ffi.ts";
import { equal } from "./openpgp.ts";

/** How long a decrypted entry is kept: gpg-agent's default-cache-ttl, in seconds. */
export const CACHE_SECONDS = 600;

// syscall numbers of add_key(2) and keyctl(2) per architecture (asm/unistd.h).
const SYSCALLS: Record<string, { addKey: bigint; keyctl: bigint }> = {
  x86_64: { addKey: 248n, keyctl: 250n },
  aarch64: { addKey: 217n, keyctl: 219n },
};
const KEY_SPEC_SESSION_KEYRING = -3n;
const KEYCTL_GET_KEYRING_ID = 0n;
const KEYCTL_SETPERM = 5n;
const KEYCTL_SEARCH = 10n;
const KEYCTL_READ = 11n;
const KEYCTL_SET_TIMEOUT = 15n;
const KEYCTL_INVALIDATE = 21n;
/** Possessor: view, read, write, search, link, setattr; nothing for user, group or other. */
const POSSESSOR_ONLY = 0x3f000000n;
/** The kernel's largest "user" key payload. */
const MAX_PAYLOAD = 32_767;
const TAG_BYTES = 40;

const SYMBOLS = {
  add_key: {
    name: "syscall",
    parameters: ["i64", "buffer", "buffer", "buffer", "i64", "i64"],
    result: "i64",
    nonblocking: true,
  },
  keyctl_search: {
    name: "syscall",
    parameters: ["i64", "i64", "i64", "buffer", "buffer", "i64"],
    result: "i64",
    nonblocking: true,
  },
  keyctl_read: {
    name: "syscall",
    parameters: ["i64", "i64", "i64", "buffer", "i64"],
    result: "i64",
    nonblocking: true,
  },
  keyctl_int: {
    name: "syscall",
    parameters: ["i64", "i64", "i64", "i64"],
    result: "i64",
    nonblocking: true,
  },
} as const;

/** Decrypted entries in the kernel keyring; every method is a miss or a no-op when the kernel refuses. */
export class KernelEntryCache {
  readonly #lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  readonly #nr: { addKey: bigint; keyctl: bigint };
  #keyring: Promise<bigint> | undefined;

  private constructor(lib: Deno.DynamicLibrary<typeof SYMBOLS>, nr: { addKey: bigint; keyctl: bigint }) {
    this.#lib = lib;
    this.#nr = nr;
  }

  /** The cache, or undefined off Linux or when libc cannot be loaded (then nothing is cached). */
  static open(): KernelEntryCache | undefined {
    const nr = SYSCALLS[Deno.build.arch];
    if (Deno.build.os !== "linux" || !nr) return undefined;
    try {
      return new KernelEntryCache(Deno.dlopen("libc.so.6", SYMBOLS), nr);
    } catch {
      return undefined;
    }
  }

  /** The value kept for `entryFile` if its current bytes are `fileBytes`, else undefined. */
  async read(entryFile: string, fileBytes: Uint8Array): Promise<Uint8Array | undefined> {
    const id = await this.#find(entryFile);
    if (id === undefined) return undefined;
    const buffer = new Uint8Array(MAX_PAYLOAD);
    const length = Number(
      await this.#lib.symbols.keyctl_read(this.#nr.keyctl, KEYCTL_READ, id, buffer, BigInt(buffer.length)),
    );
    try {
      if (length < TAG_BYTES || length > buffer.length) return undefined;
      if (!equal(buffer.subarray(0, TAG_BYTES), tagOf(fileBytes))) return undefined;
      return buffer.slice(TAG_BYTES, length);
    } finally {
      buffer.fill(0);
    }
  }

  /** Keeps `value` for `entryFile` (whose bytes are `fileBytes`) for `seconds`. */
  async write(entryFile: string, fileBytes: Uint8Array, value: Uint8Array, seconds: number): Promise<void> {
    if (TAG_BYTES + value.length > MAX_PAYLOAD) return;
    const payload = new Uint8Array(TAG_BYTES + value.length);
    payload.set(tagOf(fileBytes));
    payload.set(value, TAG_BYTES);
    const [type, description] = [cString("user"), cString(describe(entryFile))];
    try {
      const id = await this.#lib.symbols.add_key(
        this.#nr.addKey,
        type,
        description,
        payload,
        BigInt(payload.length),
        await this.#sessionKeyring(),
      );
      keepAlive(type, description);
      if (Number(id) < 0) return;
      const { keyctl_int } = this.#lib.symbols;
      // add_key gives "user" view permission by default (descriptions only); take it away first.
      if (
        Number(await keyctl_int(this.#nr.keyctl, KEYCTL_SETPERM, BigInt(id), POSSESSOR_ONLY)) < 0 ||
        Number(await keyctl_int(this.#nr.keyctl, KEYCTL_SET_TIMEOUT, BigInt(id), BigInt(seconds))) < 0
      ) {
        await keyctl_int(this.#nr.keyctl, KEYCTL_INVALIDATE, BigInt(id), 0n);
      }
    } finally {
      payload.fill(0);
    }
  }

  /** Drops what is kept for `entryFile`. */
  async remove(entryFile: string): Promise<void> {
    const id = await this.#find(entryFile);
    if (id !== undefined) await this.#lib.symbols.keyctl_int(this.#nr.keyctl, KEYCTL_INVALIDATE, id, 0n);
  }

  /**
   * The session keyring's serial number, looked up once and then named by number. Why not `@s`
   * (-3) in every call: keyring lookups act on the calling thread's credentials, and nonblocking
   * calls run on a pool of threads. In a process without a session keyring (a CI job, a
   * container), add_key(@s) would make its thread join a new, private session keyring that no
   * other thread or process possesses. Asked without creating, @s names the process's session
   * keyring, or the user-session keyring when it has none, which threads without one possess.
   */
  #sessionKeyring(): Promise<bigint> {
    this.#keyring ??= this.#lib.symbols.keyctl_int(
      this.#nr.keyctl,
      KEYCTL_GET_KEYRING_ID,
      KEY_SPEC_SESSION_KEYRING,
      0n,
    )
      .then(BigInt);
    return this.#keyring;
  }

  async #find(entryFile: string): Promise<bigint | undefined> {
    const [type, description] = [cString("user"), cString(describe(entryFile))];
    const id = await this.#lib.symbols.keyctl_search(
      this.#nr.keyctl,
      KEYCTL_SEARCH,
      await this.#sessionKeyring(),
      type,
      description,
      0n,
    );
    keepAlive(type, description);
    return Number(id) > 0 ? BigInt(id) : undefined;
  }
}

/** The key's description (visible in /proc/keys to its possessors): not secret, one per entry file. */
export function describe(entryFile: string): string {
  return `aws-okta:pass:${entryFile}`;
}

/** The file's length (8 bytes) and last 32 bytes: what a rewrite changes. */
function tagOf(fileBytes: Uint8Array): Uint8Array {
  const tag = new Uint8Array(TAG_BYTES);
  new DataView(tag.buffer).setBigUint64(0, BigInt(fileBytes.length));
  const tail = fileBytes.subarray(Math.max(0, fileBytes.length - (TAG_BYTES - 8)));
  tag.set(tail, TAG_BYTES - tail.length);
  return tag;
}
