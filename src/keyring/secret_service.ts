/**
 * The Secret Service backend (GNOME Keyring, KeePassXC, KWallet's Secret Service).
 *
 * Two item layouts:
 * - Go aws-okta's (99designs/keyring over go-libsecret): in the "awsvault" collection, each item
 *   labelled with its key, the one attribute `profile` = key, and the JSON of the whole Go
 *   `keyring.Item` as an "application/json" secret. Go reads nothing else.
 * - Ours, for people who never ran Go aws-okta: the default collection, label "aws-okta: <label>",
 *   attributes `service` = "aws-okta-login" and `key` = the item key, the item's bytes as the
 *   secret (`secret-tool lookup service aws-okta-login key okta-creds` prints one).
 *
 * When the "awsvault" collection exists (the user ran Go aws-okta), items are written there in Go's
 * layout, so Go reads them, and our copy under the same key is deleted; otherwise in ours, so a new
 * user meets no collection-creation prompt. Reads take Go's item first, then ours.
 *
 * Reads (every cache hit) go over our own D-Bus client, on the connection the backend probe made:
 * libsecret's own start-up (loading GLib/GIO, its GDBus connection, a DH session) costs about
 * 27 ms, over twice the whole D-Bus read (see README, "Keyring speed"). libsecret (FFI) does what
 * needs its prompts and collection handling: unlocking a locked item or collection, and writing to
 * the default collection.
 *
 * @module
 */

import { BusConnectionError, connectBus, type DBusConnection } from "../dbus/connection.ts";
import { collectionPath, type SearchResult, SecretsClient } from "./secret_service_calls.ts";
import { decodeItem, encodeItem } from "./item_json.ts";
import {
  checkKey,
  KeyNotFoundError,
  type Keyring,
  KeyringError,
  type KeyringItem,
  LABEL_PREFIX,
  SERVICE_NAME,
} from "./keyring.ts";
import type { Attributes, Libsecret } from "./libsecret.ts";

/** The schema name libsecret records in `xdg:schema` on items we store. */
export const SCHEMA_NAME = "org.aws-okta.Item";
/** The collection Go aws-okta keeps its items in (99designs/keyring's LibSecretCollectionName). */
export const GO_COLLECTION = "awsvault";

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

/** Options for {@linkcode SecretServiceKeyring.open}. */
export interface SecretServiceOptions {
  /** A connection to the session bus to use (the probe's); else one is made to `address`. */
  connection?: DBusConnection;
  /** The session bus address, when there is no `connection`. */
  address?: string;
  /** Deadline for connecting to the bus, in milliseconds (3000 unless given). */
  timeoutMs?: number;
}

const HINT = "check that your keyring is unlocked, or use --backend file";

/** A {@linkcode Keyring} in the Secret Service. */
export class SecretServiceKeyring implements Keyring {
  /** Always "secret-service". */
  readonly backend = "secret-service";
  readonly #conn: DBusConnection;
  readonly #client: SecretsClient;
  #lib: Libsecret | undefined;

  private constructor(conn: DBusConnection) {
    this.#conn = conn;
    this.#client = new SecretsClient(conn);
  }

  /** Uses the given bus connection, or connects to `address`. */
  static async open(options: SecretServiceOptions): Promise<SecretServiceKeyring> {
    if (options.connection) return new SecretServiceKeyring(options.connection);
    if (!options.address) {
      throw new KeyringError("secret-service keyring unavailable: no D-Bus session bus address", {
        hint: "use --backend file (or AWS_OKTA_BACKEND=file)",
      });
    }
    try {
      return new SecretServiceKeyring(
        await connectBus(options.address, { timeoutMs: options.timeoutMs ?? 3000 }),
      );
    } catch (error) {
      if (error instanceof BusConnectionError) {
        throw new KeyringError(`secret-service keyring unavailable: ${error.message}`, {
          hint: "use --backend file (or AWS_OKTA_BACKEND=file)",
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Reads Go aws-okta's item under `key`, else ours; throws {@linkcode KeyNotFoundError}. */
  async get(key: string): Promise<KeyringItem> {
    checkKey(key);
    const item = await this.#call("read", key, async () => {
      // Both searches and the session go out together: one round trip, then one for the secret.
      this.#client.openSession().catch(() => {}); // its error, if any, surfaces where it is awaited
      const [go, ours] = await Promise.all([
        this.#client.search(legacyAttributes(key)),
        this.#client.search(itemAttributes(key)),
      ]);
      const goItem = goItemOf(key, await this.#secretOf(go, legacyAttributes(key)));
      if (goItem) return goItem;
      const data = await this.#secretOf(ours, itemAttributes(key));
      return data === undefined ? undefined : { key, data };
    });
    if (item) return item;
    throw new KeyNotFoundError(key, this.backend);
  }

  /** Writes in Go's layout when the "awsvault" collection exists, else ours in the default collection. */
  async set(item: KeyringItem): Promise<void> {
    checkKey(item.key);
    await this.#call("store", item.key, async () => {
      const collection = collectionPath(GO_COLLECTION);
      const locked = await this.#client.collectionLocked(collection);
      if (locked === undefined) {
        const lib = await this.#libsecret();
        await lib.store(itemAttributes(item.key), itemLabel(item), item.data, contentType(item.data));
        return;
      }
      const json = encodeItem(item);
      try {
        const attributes = legacyAttributes(item.key);
        if (locked) {
          // libsecret asks the user to unlock the collection.
          const lib = await this.#libsecret();
          await lib.store(attributes, item.key, json, "application/json", collection);
        } else await this.#client.createItem(collection, item.key, attributes, json, "application/json");
      } finally {
        json.fill(0);
      }
      // Our copy under this key would be stale from now on.
      await this.#delete(itemAttributes(item.key));
    });
  }

  /** Deletes Go aws-okta's item and ours under `key`, so the key reads as missing afterwards. */
  async remove(key: string): Promise<void> {
    checkKey(key);
    await this.#call("delete", key, async () => {
      if (await this.#readGo(key)) await this.#delete(legacyAttributes(key));
      await this.#delete(itemAttributes(key));
    });
  }

  /** The keys of our items and of the items in Go aws-okta's collection, sorted. */
  async keys(): Promise<string[]> {
    const ours = await this.#call("list", "", async () => {
      const lib = await this.#libsecret();
      return lib.searchAttribute({ service: SERVICE_NAME }, "key");
    });
    const go = await this.#call("list", "", async () => {
      const collection = collectionPath(GO_COLLECTION);
      if ((await this.#client.collectionLocked(collection)) === undefined) return [];
      const keys: string[] = [];
      for (const item of await this.#client.collectionItems(collection)) {
        const profile = (await this.#client.attributes(item)).get("profile");
        if (profile !== undefined) keys.push(profile);
      }
      return keys;
    });
    return [...new Set([...ours, ...go])].sort();
  }

  /** Closes the bus connection (the CLI simply exits). */
  close(): void {
    this.#conn.close();
  }

  /** Go's item under `key`: a `profile` item whose JSON names the same key. */
  async #readGo(key: string): Promise<KeyringItem | undefined> {
    const attributes = legacyAttributes(key);
    return goItemOf(key, await this.#secretOf(await this.#client.search(attributes), attributes));
  }

  /** The secret of the first item found; a locked one is unlocked (and read) by libsecret. */
  async #secretOf(found: SearchResult, attributes: Attributes): Promise<Uint8Array | undefined> {
    const [item] = found.unlocked;
    if (item !== undefined) return await this.#client.secret(item);
    if (found.locked.length === 0) return undefined;
    const lib = await this.#libsecret();
    return await lib.lookup(attributes);
  }

  /** Deletes every item matching `attributes` (libsecret unlocks locked ones). */
  async #delete(attributes: Attributes): Promise<void> {
    const found = await this.#client.search(attributes);
    for (const item of found.unlocked) await this.#client.deleteItem(item);
    if (found.locked.length > 0) await (await this.#libsecret()).clear(attributes);
  }

  /** libsecret, loaded on first need; a missing library is a {@linkcode KeyringError} naming it. */
  async #libsecret(): Promise<Libsecret> {
    if (this.#lib) return this.#lib;
    const { LibraryLoadError, Libsecret } = await import("./libsecret.ts");
    try {
      this.#lib = Libsecret.load(SCHEMA_NAME, ["service", "key", "profile"]);
      return this.#lib;
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

  async #call<T>(action: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      // D-Bus errors, libsecret's (loaded lazily, so known by name) and the client's own.
      if (error instanceof KeyringError || !(error instanceof Error)) throw error;
      const detail = (error as { gerror?: { message: string } }).gerror?.message ?? error.message;
      const what = action === "list" ? "cannot list items" : `cannot ${action} "${key}"`;
      throw new KeyringError(`secret-service keyring: ${what}: ${detail}`, { hint: HINT, cause: error });
    }
  }
}

/** The Go item in `json` when it is one stored under `key` (not another tool's "profile" item). */
function goItemOf(key: string, json: Uint8Array | undefined): KeyringItem | undefined {
  if (json === undefined) return undefined;
  try {
    const item = decodeItem(json);
    return item.key === key ? item : undefined;
  } catch {
    return undefined;
  } finally {
    json.fill(0);
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
