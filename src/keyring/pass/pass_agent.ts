/**
 * Reading a pass entry without starting gpg: the entry's session key is decrypted by the user's
 * running gpg-agent (the one secret-key operation, where gpg would send it too) and the rest is
 * done here ({@link ./openpgp.ts}). Starting gpg costs 18–27 ms per read here (it opens the
 * keyrings and the trust database); the agent answers in a few. Measured in README, "Keyring speed".
 *
 * What the agent needs and the entry does not say, the agent's socket and the keygrip of the key
 * an entry is encrypted to, is learned from `gpgconf` and `gpg --list-secret-keys` the first time
 * (while gpg decrypts that entry the usual way) and kept in a small cache file: key IDs and
 * keygrips, nothing secret. Anything unexpected (no agent, a locked key, an unknown key, a message
 * shape left to gpg, a failed integrity check) makes the caller run gpg as before.
 *
 * @module
 */

import { agentDecrypt, AgentError, writeSexp } from "./gpg_agent.ts";
import {
  decryptData,
  type EcdhRecipient,
  ecdhRecipients,
  ecdhSessionBlock,
  type EncryptedSessionKey,
  parseMessage,
  sessionKeyFrom,
  unpadPkcs1,
} from "./openpgp.ts";
import { dirname, writeFileAtomic } from "../../fs/atomic_write.ts";
import { findProgram } from "../../fs/find_program.ts";
import type { EnvReader } from "../../env.ts";

/** Options for {@linkcode AgentReader}. */
export interface AgentReaderOptions {
  /** The JSON file remembering each GnuPG home's agent socket and keygrips. */
  cacheFile: string;
  /** GNUPGHOME as gpg will see it ("" for gpg's default). */
  gnupgHome: string;
  /** The environment gpg runs with beside the process's (GNUPGHOME among it). */
  env: Record<string, string>;
  /** Where PATH is read to find gpg and gpgconf. */
  lookupEnv: EnvReader;
}

/** What one GnuPG home's agent needs: its socket and the keygrip of each secret (sub)key by key ID. */
interface AgentInfo {
  socket: string;
  keygrips: Record<string, string>;
  /** For ECDH (sub)keys, what the key derivation needs from the public key. */
  ecdh?: Record<string, EcdhRecipient>;
}

/** Decrypts pass entries through gpg-agent; see the module documentation. */
export class AgentReader {
  readonly #options: AgentReaderOptions;
  #needsLearning = false;

  constructor(options: AgentReaderOptions) {
    this.#options = options;
  }

  /** True when the last {@linkcode read} missed for lack of what {@linkcode learn} finds out. */
  get needsLearning(): boolean {
    return this.#needsLearning;
  }

  /** The entry at `path` decrypted, or undefined: then gpg must be run. Never throws. */
  async read(path: string): Promise<Uint8Array | undefined> {
    this.#needsLearning = false;
    try {
      const message = parseMessage(await Deno.readFile(path));
      const info = await this.#info();
      // ECDH keys also need the recipient's KDF parameters, which the entry does not carry.
      const recipient = info &&
        message.sessionKeys.find((key) =>
          info.keygrips[key.keyId] && (key.algorithm !== 18 || info.ecdh?.[key.keyId])
        );
      if (!info || !recipient) {
        // Learning again helps only when a key is new to us (or ECDH keys were never looked at).
        this.#needsLearning = !info ||
          message.sessionKeys.some((key) =>
            !info.keygrips[key.keyId] || (key.algorithm === 18 && !info.ecdh)
          );
        return undefined;
      }
      let value: Uint8Array;
      try {
        value = await agentDecrypt(info.socket, info.keygrips[recipient.keyId]!, ciphertextOf(recipient));
      } catch (error) {
        // A refused key (locked: gpg will ask for its passphrase) stays; a vanished agent is relearned.
        this.#needsLearning = error instanceof AgentError && error.message.startsWith("no gpg-agent");
        return undefined;
      }
      const block = recipient.algorithm === 18
        ? await ecdhSessionBlock(value, recipient.fields[1]!, info.ecdh![recipient.keyId]!)
        : unpadPkcs1(value);
      return await decryptData(message.encrypted, sessionKeyFrom(block));
    } catch {
      return undefined;
    }
  }

  /** Finds the agent's socket and the secret keys' keygrips, and remembers them. Never throws. */
  async learn(): Promise<void> {
    const { env, lookupEnv } = this.#options;
    const gpg = findProgram("gpg2", lookupEnv) ?? findProgram("gpg", lookupEnv);
    const gpgconf = findProgram("gpgconf", lookupEnv);
    if (!gpg || !gpgconf) return;
    try {
      // Output of `program args`, or undefined when it fails.
      const run = async (program: string, args: string[]) => {
        const output = await new Deno.Command(program, {
          args,
          env,
          stdin: "null",
          stdout: "piped",
          stderr: "null",
        })
          .output();
        return output.success ? output.stdout : undefined;
      };
      const text = (bytes: Uint8Array | undefined) => bytes && new TextDecoder().decode(bytes);
      const [socket, listing] = (await Promise.all([
        run(gpgconf, ["--list-dirs", "agent-socket"]),
        run(gpg, ["--batch", "--with-colons", "--with-keygrip", "--list-secret-keys"]),
      ])).map(text);
      if (!socket?.trim() || listing === undefined) return;
      const keygrips = keygripsOf(listing);
      const info: AgentInfo = { socket: socket.trim(), keygrips, ecdh: {} };
      // ECDH keys: their KDF parameters and fingerprints come from the public keys.
      const primaries = listing.split("\n").filter((line) => line.startsWith("fpr:")).map((line) =>
        line.split(":")[9]!
      );
      if (/^(sec|ssb):[^:]*:[^:]*:18:/m.test(listing) && primaries.length) {
        const exported = await run(gpg, ["--batch", "--export", ...primaries]);
        if (exported) {
          const all = await ecdhRecipients(exported);
          info.ecdh = Object.fromEntries(Object.entries(all).filter(([keyId]) => keygrips[keyId]));
        }
      }
      const all = await this.#readCache();
      all[this.#options.gnupgHome] = info;
      const file = this.#options.cacheFile;
      await Deno.mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(all, null, 1) + "\n"));
    } catch {
      // Only a missed speed-up: the next read runs gpg again.
    }
  }

  async #info(): Promise<AgentInfo | undefined> {
    const info = (await this.#readCache())[this.#options.gnupgHome];
    return info && typeof info.socket === "string" && typeof info.keygrips === "object" ? info : undefined;
  }

  async #readCache(): Promise<Record<string, AgentInfo>> {
    try {
      const parsed = JSON.parse(await Deno.readTextFile(this.#options.cacheFile));
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
    } catch {
      return {};
    }
  }
}

/** The agent's ciphertext S-expression for a session key, as gpg sends it. */
function ciphertextOf(key: EncryptedSessionKey): Uint8Array {
  if (key.algorithm === 18) {
    return writeSexp(["enc-val", ["ecdh", ["s", key.fields[1]!], ["e", key.fields[0]!]]]);
  }
  return writeSexp(["enc-val", ["rsa", ["a", key.fields[0]!]]]);
}

/**
 * Key ID → keygrip for every secret key and subkey in `gpg --with-colons --with-keygrip
 * --list-secret-keys` output (a `sec`/`ssb` record, then its `fpr` and `grp` records).
 */
export function keygripsOf(listing: string): Record<string, string> {
  const keygrips: Record<string, string> = {};
  let keyId: string | undefined;
  for (const line of listing.split("\n")) {
    const fields = line.split(":");
    if (fields[0] === "sec" || fields[0] === "ssb") keyId = fields[4]?.toUpperCase();
    else if (fields[0] === "grp" && keyId && /^[0-9A-F]{40}$/i.test(fields[9] ?? "")) {
      keygrips[keyId] = fields[9]!.toUpperCase();
      keyId = undefined;
    }
  }
  return keygrips;
}
