/**
 * The few Secret Service calls (org.freedesktop.Secret.*) the secret-service backend makes over our
 * own D-Bus client: search by attributes, read a secret, ask whether a collection exists and is
 * locked, create and delete items. What needs a prompt (unlocking) is left to libsecret.
 *
 * Secrets travel in a "plain" session, as go-libsecret (Go aws-okta) does: the session bus is the
 * user's own, and the DH session libsecret negotiates costs more than the rest of the read.
 *
 * @module
 */

import { type DBusConnection, DBusError } from "../dbus/connection.ts";
import type { DBusValue } from "../dbus/wire.ts";

/** The Secret Service's bus name. */
export const SECRETS_NAME = "org.freedesktop.secrets";
/** The Secret Service object. */
export const SECRETS_PATH = "/org/freedesktop/secrets";

const SERVICE = {
  destination: SECRETS_NAME,
  path: SECRETS_PATH,
  interface: "org.freedesktop.Secret.Service",
};

/** The object path of the collection named `name` ("awsvault" → ".../collection/awsvault"). */
export function collectionPath(name: string): string {
  return `${SECRETS_PATH}/collection/${name}`;
}

/** Items matching a search, split as the service reports them. */
export interface SearchResult {
  /** Items whose secret can be read now. */
  unlocked: string[];
  /** Items that need unlocking (a prompt) first. */
  locked: string[];
}

/** A Secret Service client on one bus connection; the session is opened on first need. */
export class SecretsClient {
  readonly #conn: DBusConnection;
  #session: Promise<string> | undefined;

  constructor(conn: DBusConnection) {
    this.#conn = conn;
  }

  /** Items (in any collection) whose attributes include `attributes`. */
  async search(attributes: Record<string, string>): Promise<SearchResult> {
    const [unlocked, locked] = await this.#conn.call({
      ...SERVICE,
      member: "SearchItems",
      signature: "a{ss}",
      body: [new Map(Object.entries(attributes))],
    });
    return { unlocked: paths(unlocked), locked: paths(locked) };
  }

  /** The secret bytes of an unlocked item. */
  async secret(item: string): Promise<Uint8Array> {
    const [secret] = await this.#conn.call({
      destination: SECRETS_NAME,
      path: item,
      interface: "org.freedesktop.Secret.Item",
      member: "GetSecret",
      signature: "o",
      body: [await this.openSession()],
    });
    const value = Array.isArray(secret) ? secret[2] : undefined;
    if (!(value instanceof Uint8Array)) throw new Error("GetSecret returned no secret");
    return value;
  }

  /** The items of a collection. */
  async collectionItems(path: string): Promise<string[]> {
    return paths(await this.#property(path, "org.freedesktop.Secret.Collection", "Items"));
  }

  /** The attributes of an item (readable while it is locked). */
  async attributes(item: string): Promise<Map<string, string>> {
    const value = await this.#property(item, "org.freedesktop.Secret.Item", "Attributes");
    const attributes = new Map<string, string>();
    if (value instanceof Map) { for (const [name, v] of value) attributes.set(String(name), String(v)); }
    return attributes;
  }

  /** Whether the collection exists, and if so whether it is locked; undefined when it does not exist. */
  async collectionLocked(path: string): Promise<boolean | undefined> {
    try {
      return (await this.#property(path, "org.freedesktop.Secret.Collection", "Locked")) === true;
    } catch (error) {
      // No such object (gnome-keyring answers UnknownMethod/UnknownObject, others NoSuchObject).
      if (error instanceof DBusError) return undefined;
      throw error;
    }
  }

  /**
   * Creates an item in an unlocked collection (replacing one with the same attributes), as
   * go-libsecret's `Collection.CreateItem` does; returns its path.
   */
  async createItem(
    collection: string,
    label: string,
    attributes: Record<string, string>,
    secret: Uint8Array,
    contentType: string,
  ): Promise<string> {
    const [item, prompt] = await this.#conn.call({
      destination: SECRETS_NAME,
      path: collection,
      interface: "org.freedesktop.Secret.Collection",
      member: "CreateItem",
      signature: "a{sv}(oayays)b",
      body: [
        new Map<DBusValue, DBusValue>([
          ["org.freedesktop.Secret.Item.Label", { signature: "s", value: label }],
          ["org.freedesktop.Secret.Item.Attributes", {
            signature: "a{ss}",
            value: new Map(Object.entries(attributes)),
          }],
        ]),
        [await this.openSession(), new Uint8Array(0), secret, contentType],
        true,
      ],
    });
    if (prompt !== "/" || typeof item !== "string" || item === "/") {
      throw new Error("creating the item needs a prompt");
    }
    return item;
  }

  /** Deletes an unlocked item. */
  async deleteItem(item: string): Promise<void> {
    const [prompt] = await this.#conn.call({
      destination: SECRETS_NAME,
      path: item,
      interface: "org.freedesktop.Secret.Item",
      member: "Delete",
    });
    if (prompt !== "/") throw new Error("deleting the item needs a prompt");
  }

  async #property(path: string, iface: string, name: string): Promise<DBusValue | undefined> {
    const [variant] = await this.#conn.call({
      destination: SECRETS_NAME,
      path,
      interface: "org.freedesktop.DBus.Properties",
      member: "Get",
      signature: "ss",
      body: [iface, name],
    });
    return (variant as { value?: DBusValue } | undefined)?.value;
  }

  /** Opens the "plain" session secrets travel in (once; later calls share it), returning its path. */
  openSession(): Promise<string> {
    this.#session ??= this.#conn.call({
      ...SERVICE,
      member: "OpenSession",
      signature: "sv",
      body: ["plain", { signature: "s", value: "" }],
    }).then(([, session]) => String(session));
    return this.#session;
  }
}

function paths(value: DBusValue | undefined): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
