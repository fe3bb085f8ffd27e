/**
 * The pass (passwordstore.org) backend: one gpg-encrypted entry per item, `<prefix><key>`, through
 * the `pass` command (`insert -m -f`, `show`, `rm -f`); PASSWORD_STORE_DIR is honoured.
 *
 * Entries hold the JSON of 99designs/keyring's Item, where Go aws-okta keeps them: by default at
 * the top of the store (`okta-creds`, `okta-session-cookie`, ...), so both tools read each other's
 * items. Earlier versions of this tool wrote under `aws-okta/`; when `<prefix><key>` is missing, the
 * entry under the fallback prefix (`aws-okta/` for the default, the top of the store for any other
 * prefix) is read if its JSON names that key. An entry that is not an Item's JSON (someone typed it
 * in) reads as raw bytes.
 *
 * Reads run gpg on the entry's file the way `pass show` does (same command and options), without
 * the `pass` script around it: starting that bash script costs more than the rest of a cache hit
 * (see README, "Keyring speed"). If that fails, `pass show` runs, for its behaviour and its message.
 *
 * @module
 */

import { decodeItem, encodeItem } from "../item_json.ts";
import { checkKey, KeyNotFoundError, type Keyring, KeyringError, type KeyringItem } from "../keyring.ts";
import { findProgram } from "../../fs/find_program.ts";
import type { EnvReader } from "../../env.ts";
// Static: a read through the agent is the cache hit of this backend (one module-loading round).
import { AgentReader } from "./pass_agent.ts";
import { CACHE_SECONDS, KernelEntryCache } from "./kernel_cache.ts";

/** Options for {@linkcode PassKeyring}. */
export interface PassKeyringOptions {
  /** The password store directory (PASSWORD_STORE_DIR or ~/.password-store). */
  storeDir: string;
  /** Prepended to every key: "" (the top of the store, where Go aws-okta keeps items) by default. */
  prefix: string;

  /** The command to run (default "pass"). */
  command?: string;
  /** Extra environment for the command, e.g. GNUPGHOME (the process environment is inherited). */
  env?: Record<string, string>;
  /** Environment variables to read (PATH, PASSWORD_STORE_GPG_OPTS, GPG_AGENT_INFO); the process's by default. */
  processEnv?: EnvReader;
  /**
   * Where reads through gpg-agent remember the agent's socket and keygrips (./pass_agent.ts);
   * without it every read runs gpg.
   */
  agentCacheFile?: string;
  /** Keep decrypted entries in the kernel keyring (./kernel_cache.ts), so that the next reads skip gpg. */
  kernelCache?: boolean;
  /** How long a kept entry lasts, seconds ({@linkcode CACHE_SECONDS} unless stated; tests shorten it). */
  kernelCacheSeconds?: number;
}

/** The prefix earlier versions of this tool wrote under. */
export const LEGACY_PREFIX = "aws-okta/";

/**
 * Where to look when an item is missing under `prefix`: our earlier `aws-okta/` for the default
 * (Go's top level), Go's top level for any other prefix.
 */
export function fallbackPrefix(prefix: string): string {
  return prefix === "" ? LEGACY_PREFIX : "";
}

/** A {@linkcode Keyring} in a pass password store. */
export class PassKeyring implements Keyring {
  /** Always "pass". */
  readonly backend = "pass";
  readonly #storeDir: string;
  readonly #prefix: string;
  readonly #fallback: string;
  readonly #command: string;
  readonly #env: Record<string, string>;
  readonly #processEnv: EnvReader;
  readonly #agentCacheFile: string | undefined;
  readonly #kernelCacheSeconds: number;
  #agent: AgentReader | undefined;
  #kernel: KernelEntryCache | undefined | null = null;

  constructor(options: PassKeyringOptions) {
    this.#storeDir = options.storeDir.replace(/\/+$/, "");
    this.#prefix = options.prefix;
    // Read (and removed) when `<prefix><key>` is missing, never written.
    this.#fallback = fallbackPrefix(options.prefix);
    this.#command = options.command ?? "pass";
    this.#env = { ...options.env, PASSWORD_STORE_DIR: this.#storeDir };
    this.#processEnv = options.processEnv ?? Deno.env;
    this.#agentCacheFile = options.agentCacheFile;
    this.#kernelCacheSeconds = options.kernelCache ? options.kernelCacheSeconds ?? CACHE_SECONDS : 0;
    checkPrefix(this.#prefix);
  }

  /** Reads `<prefix><key>`, else `<fallback><key>`; throws {@linkcode KeyNotFoundError}. */
  async get(key: string): Promise<KeyringItem> {
    const name = this.entryName(key);
    if (await this.#exists(name)) {
      const item = parseEntry(await this.#show(name), name);
      // As in the file backend, the entry's name wins over a key recorded inside it.
      item.key = key;
      return item;
    }
    const legacy = await this.#legacy(key);
    if (legacy) return legacy;
    throw new KeyNotFoundError(key, this.backend);
  }

  /** Writes the item's JSON to `<prefix><key>` with `pass insert -m -f`. */
  async set(item: KeyringItem): Promise<void> {
    const name = this.entryName(item.key);
    const json = encodeItem(item);
    try {
      await this.#run(["insert", "--multiline", "--force", "--", name], json, `cannot store "${name}"`);
    } finally {
      json.fill(0);
      await this.#kernelCache()?.remove(this.#file(name));
    }
  }

  /** Removes `<prefix><key>` and `<fallback><key>`, so the key reads as missing afterwards. */
  async remove(key: string): Promise<void> {
    const name = this.entryName(key);
    if (await this.#exists(name)) await this.#remove(name);
    if (await this.#legacy(key)) await this.#remove(`${this.#fallback}${key}`);
  }

  /** The keys under the prefix, sorted (with the default prefix: every entry of the store, as Go lists them). */
  async keys(): Promise<string[]> {
    // A prefix is a directory part ("aws-okta/") and/or the start of entry names ("aws-okta-").
    const slash = this.#prefix.lastIndexOf("/");
    const dir = slash < 0 ? this.#storeDir : `${this.#storeDir}/${this.#prefix.slice(0, slash)}`;
    const namePrefix = this.#prefix.slice(slash + 1);
    const keys: string[] = [];
    const walk = async (path: string, relative: string): Promise<void> => {
      for await (const entry of Deno.readDir(path)) {
        if (entry.name.startsWith(".")) continue;
        const name = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory) await walk(`${path}/${entry.name}`, name);
        else if (entry.name.endsWith(".gpg") && name.startsWith(namePrefix)) {
          keys.push(name.slice(namePrefix.length, -4));
        }
      }
    };
    try {
      await walk(dir, "");
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw new KeyringError(`pass keyring: cannot list "${dir}": ${message(error)}`, { cause: error });
    }
    return keys.sort();
  }

  /** The pass entry name of `key`. */
  entryName(key: string): string {
    checkKey(key, insideStore);
    return `${this.#prefix}${key}`;
  }

  async #legacy(key: string): Promise<KeyringItem | undefined> {
    const name = `${this.#fallback}${key}`;
    if (this.#fallback === this.#prefix || !(await this.#exists(name))) return undefined;
    const bytes = await this.#show(name);
    try {
      const item = decodeItem(bytes);
      return item.key === key ? item : undefined;
    } catch {
      // An unrelated entry of the same name.
      return undefined;
    } finally {
      bytes.fill(0);
    }
  }

  async #exists(name: string): Promise<boolean> {
    try {
      return (await Deno.stat(`${this.#storeDir}/${name}.gpg`)).isFile;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw new KeyringError(`pass keyring: cannot read "${this.#storeDir}": ${message(error)}`, {
        cause: error,
      });
    }
  }

  async #show(name: string): Promise<Uint8Array> {
    const cache = this.#kernelCache();
    const file = this.#file(name);
    let encrypted: Uint8Array | undefined;
    if (cache) {
      try {
        encrypted = Deno.readFileSync(file);
        const kept = await cache.read(file, encrypted);
        if (kept) return kept;
      } catch {
        // Unreadable here: gpg or pass says why below.
      }
    }
    const value = await this.#decrypt(name) ??
      await this.#run(["show", "--", name], undefined, `cannot read "${name}"`);
    // Kept under the bytes read before decrypting: if the file changed since, the next read misses.
    if (cache && encrypted) await cache.write(file, encrypted, value, this.#kernelCacheSeconds);
    return value;
  }

  /**
   * The entry decrypted through gpg-agent when it can be (./pass_agent.ts), else by gpg
   * as `pass show` runs it; undefined when that fails.
   */
  async #decrypt(name: string): Promise<Uint8Array | undefined> {
    const env = { get: (key: string) => this.#env[key] ?? this.#processEnv.get(key) };
    const file = this.#file(name);
    // PASSWORD_STORE_GPG_OPTS can change what gpg does (another home, keyring, agent): gpg's job then.
    if (this.#agentCacheFile && !env.get("PASSWORD_STORE_GPG_OPTS")) {
      this.#agent ??= new AgentReader({
        cacheFile: this.#agentCacheFile,
        gnupgHome: env.get("GNUPGHOME") ?? "",
        env: this.#env,
        lookupEnv: env,
      });
      const fast = await this.#agent.read(file);
      if (fast) return fast;
    }
    const [output] = await Promise.all([
      this.#gpgDecrypt(file, env),
      this.#agent?.needsLearning ? this.#agent.learn() : undefined,
    ]);
    return output;
  }

  async #gpgDecrypt(
    file: string,
    env: EnvReader,
  ): Promise<Uint8Array | undefined> {
    // pass's choice: gpg2 when there is one, with --batch --use-agent then (or with GPG_AGENT_INFO).
    const gpg2 = findProgram("gpg2", env);
    const gpg = gpg2 ?? findProgram("gpg", env);
    if (!gpg) return undefined;
    const args = [
      ...(env.get("PASSWORD_STORE_GPG_OPTS") ?? "").split(/\s+/).filter(Boolean),
      "--quiet",
      "--yes",
      "--compress-algo=none",
      "--no-encrypt-to",
      ...(gpg2 || env.get("GPG_AGENT_INFO") ? ["--batch", "--use-agent"] : []),
      "-d",
      file,
    ];
    try {
      const output = await new Deno.Command(gpg, {
        args,
        env: this.#env,
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).output();
      return output.success ? output.stdout : undefined;
    } catch {
      return undefined;
    }
  }

  async #remove(name: string): Promise<void> {
    try {
      await this.#run(["rm", "--force", "--", name], undefined, `cannot remove "${name}"`);
    } finally {
      await this.#kernelCache()?.remove(this.#file(name));
    }
  }

  #file(name: string): string {
    return `${this.#storeDir}/${name}.gpg`;
  }

  /** The kernel-keyring cache when it is on and this system has one (loaded on first use). */
  #kernelCache(): KernelEntryCache | undefined {
    if (this.#kernelCacheSeconds <= 0) return undefined;
    if (this.#kernel === null) this.#kernel = KernelEntryCache.open();
    return this.#kernel;
  }

  async #run(args: string[], stdin: Uint8Array | undefined, what: string): Promise<Uint8Array> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(this.#command, {
        args,
        env: this.#env,
        stdin: stdin ? "piped" : "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      throw new KeyringError(`pass keyring: cannot run "${this.#command}": ${message(error)}`, {
        hint: "install pass, or use --backend file",
        cause: error,
      });
    }
    if (stdin) {
      const writer = child.stdin.getWriter();
      await writer.write(stdin);
      await writer.close();
    }
    const output = await child.output();
    if (!output.success) {
      // pass and gpg report on stderr; their messages name entries and keys, never secret contents.
      const detail = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1) ||
        `exit code ${output.code}`;
      throw new KeyringError(`pass keyring: ${what}: ${detail}`, {
        hint: "check that gpg can decrypt the store (gpg-agent, key), or use --backend file",
      });
    }
    return output.stdout;
  }
}

/** An entry's item: the Go Item JSON when it is one, else the raw bytes (key left for the caller). */
function parseEntry(bytes: Uint8Array, name: string): KeyringItem {
  if (!looksLikeItem(bytes)) return { key: "", data: bytes };
  try {
    return decodeItem(bytes);
  } catch (error) {
    throw new KeyringError(`pass keyring: entry "${name}" is corrupted: ${message(error)}`, {
      reason: "corrupted",
      hint: `remove it with "pass rm ${name}" and log in again`,
    });
  } finally {
    bytes.fill(0);
  }
}

/** A JSON object with a "Key" and a "Data" member: 99designs/keyring's Item. */
function looksLikeItem(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x7b) return false;
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === "object" && value !== null && "Key" in value && "Data" in value;
  } catch {
    return false;
  }
}

/** Keys become paths inside the store: none may climb out of it. */
function insideStore(key: string): boolean {
  return !key.startsWith("/") && !key.split("/").some((segment) => segment === "." || segment === "..");
}

function checkPrefix(prefix: string): void {
  if (prefix.startsWith("/") || prefix.includes("\0") || prefix.split("/").some((s) => s === "..")) {
    throw new KeyringError(`invalid pass prefix "${prefix}"`, {
      hint: "set AWS_OKTA_PASS_PREFIX to a relative path",
    });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
