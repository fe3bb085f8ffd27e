/**
 * The secret-store interface every backend implements (file, memory, and later the OS stores), and
 * the two errors they throw. Modelled on 99designs/keyring's `Keyring`: items are opaque bytes
 * under a string key; typed wrappers (src/app/store/items.ts) own what the bytes mean.
 *
 * @module
 */

import { AppError, type AppErrorOptions } from "../errors.ts";

/**
 * The service name the OS backends file our items under, Go aws-okta's (through 99designs/keyring):
 * the Keychain service, the Secret Service `service` attribute, the KWallet wallet and the Credential
 * Manager target prefix. Keeping it is what lets either tool find the other's items.
 */
export const SERVICE_NAME = "aws-okta-login";

/** Prefix of the labels people see on our items ("aws-okta: okta credentials"); stripped on reading. */
export const LABEL_PREFIX = "aws-okta: ";

/** One stored secret. */
export interface KeyringItem {
  /** The item's name, unique within the keyring. */
  key: string;
  /** The secret bytes. */
  data: Uint8Array;
  /** A human-readable label (shown by OS keyring managers). */
  label?: string;
  /** A longer description (shown by OS keyring managers). */
  description?: string;
}

/** A secret store. Every method may throw {@linkcode KeyringError}. */
export interface Keyring {
  /** The backend's name as the CLI spells it: "file", "memory", ... */
  readonly backend: string;
  /** Reads an item; throws {@linkcode KeyNotFoundError} when there is none under `key`. */
  get(key: string): Promise<KeyringItem>;
  /** Creates or replaces the item under `item.key`. */
  set(item: KeyringItem): Promise<void>;
  /** Deletes an item; removing a missing key is not an error. */
  remove(key: string): Promise<void>;
  /** The keys of every stored item. */
  keys(): Promise<string[]>;
  /**
   * Throws when items cannot be written (a read-only directory, a full disk, a passphrase that does
   * not open the items already stored), for backends that can tell without writing an item. Called
   * before a login, whose result would otherwise be lost.
   */
  checkWritable?(): Promise<void>;
}

/** The keyring holds no item under the requested key. */
export class KeyNotFoundError extends AppError {
  /** The key that was looked up. */
  readonly key: string;
  /** The backend that was asked. */
  readonly backend: string;

  constructor(key: string, backend: string) {
    super(`no "${key}" item in the ${backend} keyring`);
    this.name = "KeyNotFoundError";
    this.key = key;
    this.backend = backend;
  }
}

/**
 * Why a keyring operation failed, so callers can react without parsing messages: a cache may treat
 * a corrupted item as a miss, but must not swallow a wrong passphrase.
 */
export type KeyringErrorReason =
  /** The stored item cannot be decoded (truncated, not a JWE, bad JSON...). */
  | "corrupted"
  /** The passphrase does not open the item. */
  | "passphrase"
  /** The key cannot name an item in this backend. */
  | "invalid-key"
  /** The store itself failed (I/O, permissions, service unavailable). */
  | "io";

/** Options for {@linkcode KeyringError}. */
export interface KeyringErrorOptions extends AppErrorOptions {
  /** Why it failed; "io" unless stated. */
  reason?: KeyringErrorReason;
}

/** Any keyring failure other than a missing item: corrupt data, wrong passphrase, I/O. */
export class KeyringError extends AppError {
  /** Why it failed. */
  readonly reason: KeyringErrorReason;

  constructor(message: string, options: KeyringErrorOptions = {}) {
    const { reason, ...rest } = options;
    super(message, rest);
    this.name = "KeyringError";
    this.reason = reason ?? "io";
  }
}

/**
 * Throws an "invalid-key" {@linkcode KeyringError} unless `key` is non-empty, has no NUL (no store
 * can name such an item) and passes the backend's own rule `valid`.
 */
export function checkKey(key: string, valid: (key: string) => boolean = () => true): void {
  if (key === "" || key.includes("\0") || !valid(key)) {
    throw new KeyringError(`invalid keyring key "${key.replaceAll("\0", "\\0")}"`, { reason: "invalid-key" });
  }
}

/**
 * Runs a synchronous body (an FFI backend's call) and reports its result or error as a promise, so
 * every failure reaches callers as a rejection, as with the async backends.
 */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
