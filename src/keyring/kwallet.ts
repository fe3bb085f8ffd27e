/**
 * The KWallet backend, over D-Bus to kwalletd (org.kde.KWallet) with our own small D-Bus client, the
 * same calls Go aws-okta made: its binary entries read byte for byte, and neither kwallet-query nor
 * FFI is needed.
 *
 * Items live where Go aws-okta (99designs/keyring) kept them: wallet "aws-okta-login" (its service
 * name), folder "keyring", one binary entry per key holding the JSON of 99designs/keyring's Item.
 *
 * @module
 */

import { BusConnectionError, connectBus, DBusConnection, DBusError } from "../dbus/connection.ts";
import type { DBusValue } from "../dbus/wire.ts";
import { decodeItem, encodeItem, ItemFormatError } from "./item_json.ts";
import {
  checkKey,
  KeyNotFoundError,
  type Keyring,
  KeyringError,
  type KeyringItem,
  SERVICE_NAME,
} from "./keyring.ts";

/** The wallet Go aws-okta used (99designs/keyring opens the wallet named after the service). */
export const WALLET = SERVICE_NAME;
/** The folder Go aws-okta used (99designs/keyring's default). */
export const FOLDER = "keyring";
/** The application id kwalletd shows when asking the user to allow access. */
export const APP_ID = "aws-okta";

/** Options for {@linkcode KWalletKeyring.open}. */
export interface KWalletOptions {
  /** The session bus address. */
  address: string;
  /** kwalletd's bus name: "org.kde.kwalletd6" or "org.kde.kwalletd5". */
  service: string;
  /** Deadline for reaching the bus (the wallet itself may take a user's password, so it has none). */
  timeoutMs?: number;
}

/** The object path of a kwalletd bus name ("org.kde.kwalletd6" → "/modules/kwalletd6"). */
export function kwalletPath(service: string): string {
  return `/modules/${service.slice(service.lastIndexOf(".") + 1)}`;
}

/** How long the wallet `open` call may wait for the user to type the wallet password. */
const OPEN_TIMEOUT_MS = 5 * 60_000;

/** A {@linkcode Keyring} in a KDE wallet. `close()` it when done (the CLI simply exits). */
export class KWalletKeyring implements Keyring {
  /** Always "kwallet". */
  readonly backend = "kwallet";
  readonly #conn: DBusConnection;
  readonly #service: string;
  #handle: Promise<number> | undefined;

  private constructor(conn: DBusConnection, service: string) {
    this.#conn = conn;
    this.#service = service;
  }

  /** Connects to the session bus; the wallet is opened on first use. */
  static async open(options: KWalletOptions): Promise<KWalletKeyring> {
    try {
      const conn = await connectBus(options.address, { timeoutMs: options.timeoutMs ?? 3000 });
      return new KWalletKeyring(conn, options.service);
    } catch (error) {
      if (error instanceof BusConnectionError) {
        throw new KeyringError(`kwallet keyring unavailable: ${error.message}`, {
          hint: "use --backend file (or AWS_OKTA_BACKEND=file)",
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Reads the entry `key`; throws {@linkcode KeyNotFoundError}. */
  async get(key: string): Promise<KeyringItem> {
    checkKey(key);
    const handle = await this.#wallet();
    if (!(await this.#call("read", key, "hasEntry", "isss", [handle, FOLDER, key, APP_ID]))) {
      throw new KeyNotFoundError(key, this.backend);
    }
    const data = await this.#call("read", key, "readEntry", "isss", [handle, FOLDER, key, APP_ID]);
    if (!(data instanceof Uint8Array)) throw this.#protocol("readEntry");
    try {
      const item = decodeItem(data);
      item.key = key;
      return item;
    } catch (error) {
      const detail = error instanceof ItemFormatError ? error.message : "unreadable";
      throw new KeyringError(`kwallet keyring: entry "${key}" is corrupted: ${detail}`, {
        reason: "corrupted",
      });
    } finally {
      data.fill(0);
    }
  }

  /** Writes the item's JSON as a binary entry (what Go aws-okta wrote). */
  async set(item: KeyringItem): Promise<void> {
    checkKey(item.key);
    const handle = await this.#wallet();
    if (!(await this.#call("store", item.key, "hasFolder", "iss", [handle, FOLDER, APP_ID]))) {
      await this.#call("store", item.key, "createFolder", "iss", [handle, FOLDER, APP_ID]);
    }
    const json = encodeItem(item);
    try {
      const status = await this.#call("store", item.key, "writeEntry", "issays", [
        handle,
        FOLDER,
        item.key,
        json,
        APP_ID,
      ]);
      if (status !== 0) {
        throw new KeyringError(`kwallet keyring: cannot store "${item.key}": kwalletd said ${status}`);
      }
    } finally {
      json.fill(0);
    }
  }

  /** Removes the entry; a missing one is fine. */
  async remove(key: string): Promise<void> {
    checkKey(key);
    const handle = await this.#wallet();
    if (!(await this.#call("delete", key, "hasEntry", "isss", [handle, FOLDER, key, APP_ID]))) return;
    const status = await this.#call("delete", key, "removeEntry", "isss", [handle, FOLDER, key, APP_ID]);
    if (status !== 0) {
      throw new KeyringError(`kwallet keyring: cannot delete "${key}": kwalletd said ${status}`);
    }
  }

  /** The entries of the folder, sorted. */
  async keys(): Promise<string[]> {
    const handle = await this.#wallet();
    if (!(await this.#call("list", "", "hasFolder", "iss", [handle, FOLDER, APP_ID]))) return [];
    const entries = await this.#call("list", "", "entryList", "iss", [handle, FOLDER, APP_ID]);
    if (!Array.isArray(entries)) throw this.#protocol("entryList");
    return entries.map(String).sort();
  }

  /** Closes the bus connection. */
  close(): void {
    this.#conn.close();
  }

  #wallet(): Promise<number> {
    this.#handle ??= (async () => {
      const enabled = await this.#call("open", WALLET, "isEnabled", "", []);
      if (enabled !== true) {
        throw new KeyringError("kwallet keyring unavailable: the KDE wallet subsystem is disabled", {
          hint: "enable it in System Settings, or use --backend file",
        });
      }
      const handle = await this.#call("open", WALLET, "open", "sxs", [WALLET, 0n, APP_ID], OPEN_TIMEOUT_MS);
      if (typeof handle !== "number" || handle < 0) {
        throw new KeyringError(`kwallet keyring: cannot open wallet "${WALLET}"`, {
          hint: "allow aws-okta to use the wallet when KDE asks, or use --backend file",
        });
      }
      return handle;
    })();
    // A failed open is not cached, so a later call can ask again.
    this.#handle.catch(() => (this.#handle = undefined));
    return this.#handle;
  }

  async #call(
    action: string,
    key: string,
    member: string,
    signature: string,
    body: DBusValue[],
    timeoutMs?: number,
  ): Promise<DBusValue | undefined> {
    try {
      const call = {
        destination: this.#service,
        path: kwalletPath(this.#service),
        interface: "org.kde.KWallet",
        member,
        signature,
        body,
      };
      const [result] = await this.#conn.call(call, timeoutMs === undefined ? {} : { timeoutMs });
      return result;
    } catch (error) {
      if (error instanceof DBusError || error instanceof BusConnectionError) {
        const what = action === "list" ? "cannot list entries" : `cannot ${action} "${key}"`;
        throw new KeyringError(`kwallet keyring: ${what}: ${error.message}`, {
          hint: "check that kwalletd is running, or use --backend file",
          cause: error,
        });
      }
      throw error;
    }
  }

  #protocol(member: string): KeyringError {
    return new KeyringError(`kwallet keyring: unexpected answer to "${member}" from ${this.#service}`);
  }
}
