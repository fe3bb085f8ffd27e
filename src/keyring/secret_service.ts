/**
 * The Secret Service backend (GNOME Keyring, KeePassXC, KWallet's Secret Service) through libsecret.
 *
 * Our items go to the default collection with the label "aws-okta: <label>" (what people see in
 * Seahorse) and the attributes `service` = "aws-okta-login" and `key` = the item key, so
 * `secret-tool lookup service aws-okta-login key okta-creds` prints one. The secret is the item's
 * bytes, as the keychain and wincred backends store them.
 *
 * Go aws-okta (99designs/keyring via go-libsecret) stored items in the "awsvault" collection, each
 * labelled with its key, with the single attribute `profile` = key and the JSON of the whole Go
 * item as the secret. When we have no item under a key, such an item is read instead (its JSON
 * must name the same key, since aws-vault keeps its own items in that collection the same way).
 *
 * @module
 */

import { decodeItem } from "./item_json.ts";
import { checkKey, KeyNotFoundError, type Keyring, KeyringError, type KeyringItem } from "./keyring.ts";
import { type Attributes, LibraryLoadError, Libsecret, LibsecretError } from "./libsecret.ts";

/** The `service` attribute of our items (the service name Go aws-okta used everywhere). */
export const SERVICE_NAME = "aws-okta-login";
/** The schema name libsecret records in `xdg:schema` on items we store. */
export const SCHEMA_NAME = "org.aws-okta.Item";
/** Prefix of our item labels. */
export const LABEL_PREFIX = "aws-okta: ";

/** Our attributes for `key`. */
export function itemAttributes(key: string): Attributes {
  return { service: SERVICE_NAME, key };
}

/** The attributes Go aws-okta's items carry. */
export function legacyAttributes(key: string): Attributes {
  return { profile: key };
}

/** The label people see: "aws-okta: okta credentials". */
export function itemLabel(item: KeyringItem): string {
  return `${LABEL_PREFIX}${item.label || item.key}`;
}

/** A {@linkcode Keyring} in the Secret Service, through libsecret. */
export class SecretServiceKeyring implements Keyring {
  /** Always "secret-service". */
  readonly backend = "secret-service";
  readonly #lib: Libsecret;

  private constructor(lib: Libsecret) {
    this.#lib = lib;
  }

  /** Loads libsecret; a missing library is a {@linkcode KeyringError} naming it. */
  static open(): SecretServiceKeyring {
    try {
      return new SecretServiceKeyring(Libsecret.load(SCHEMA_NAME, ["service", "key", "profile"]));
    } catch (error) {
      if (error instanceof LibraryLoadError) {
        throw new KeyringError(`secret-service keyring unavailable: ${error.message}`, {
          hint: "install libsecret (Debian/Ubuntu: libsecret-1-0), or use --backend file",
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Reads our item under `key`, else Go aws-okta's; throws {@linkcode KeyNotFoundError}. */
  async get(key: string): Promise<KeyringItem> {
    checkKey(key);
    const data = await this.#call("read", key, () => this.#lib.lookup(itemAttributes(key)));
    if (data !== undefined) return { key, data };
    const legacy = await this.#legacy(key);
    if (legacy) return legacy;
    throw new KeyNotFoundError(key, this.backend);
  }

  /** Creates or replaces our item under `item.key`. */
  async set(item: KeyringItem): Promise<void> {
    checkKey(item.key);
    await this.#call(
      "store",
      item.key,
      () => this.#lib.store(itemAttributes(item.key), itemLabel(item), item.data, contentType(item.data)),
    );
  }

  /** Deletes our item and Go aws-okta's under `key`, so the key reads as missing afterwards. */
  async remove(key: string): Promise<void> {
    checkKey(key);
    await this.#call("delete", key, () => this.#lib.clear(itemAttributes(key)));
    if (await this.#legacy(key)) {
      await this.#call("delete", key, () => this.#lib.clear(legacyAttributes(key)));
    }
  }

  /** The keys of our items, sorted (Go aws-okta's items are not listed). */
  async keys(): Promise<string[]> {
    const keys = await this.#call(
      "list",
      "",
      () => this.#lib.searchAttribute({ service: SERVICE_NAME }, "key"),
    );
    return [...new Set(keys)].sort();
  }

  async #legacy(key: string): Promise<KeyringItem | undefined> {
    const json = await this.#call("read", key, () => this.#lib.lookup(legacyAttributes(key)));
    if (json === undefined) return undefined;
    try {
      const item = decodeItem(json);
      if (item.key !== key) return undefined;
      return item;
    } catch {
      // Some other tool's item that happens to use a "profile" attribute.
      return undefined;
    } finally {
      json.fill(0);
    }
  }

  async #call<T>(action: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof LibsecretError) {
        const what = action === "list" ? "cannot list items" : `cannot ${action} "${key}"`;
        throw new KeyringError(`secret-service keyring: ${what}: ${error.gerror?.message ?? error.message}`, {
          hint: "check that your keyring is unlocked, or use --backend file",
          cause: error,
        });
      }
      throw error;
    }
  }
}

function contentType(data: Uint8Array): string {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(data);
    return "text/plain";
  } catch {
    return "application/octet-stream";
  }
}
