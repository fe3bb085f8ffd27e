/**
 * An in-memory keyring for tests (like 99designs/keyring's ArrayKeyring). Items are copied in and
 * out, so a caller that mutates a returned buffer cannot change what is stored.
 *
 * @module
 */

import { KeyNotFoundError, type Keyring, type KeyringItem } from "./keyring.ts";

/** A {@linkcode Keyring} that lives in a Map and vanishes with the process. */
export class MemoryKeyring implements Keyring {
  /** Always "memory". */
  readonly backend = "memory";
  readonly #items = new Map<string, KeyringItem>();

  /** Starts with copies of `items`, if given. */
  constructor(items: readonly KeyringItem[] = []) {
    for (const item of items) this.#items.set(item.key, copyItem(item));
  }

  /** Reads an item; throws {@linkcode KeyNotFoundError} when missing. */
  get(key: string): Promise<KeyringItem> {
    const item = this.#items.get(key);
    if (!item) return Promise.reject(new KeyNotFoundError(key, this.backend));
    return Promise.resolve(copyItem(item));
  }

  /** Stores a copy of `item`. */
  set(item: KeyringItem): Promise<void> {
    this.#items.set(item.key, copyItem(item));
    return Promise.resolve();
  }

  /** Deletes an item; a missing key is fine. */
  remove(key: string): Promise<void> {
    this.#items.delete(key);
    return Promise.resolve();
  }

  /** The stored keys, sorted. */
  keys(): Promise<string[]> {
    return Promise.resolve([...this.#items.keys()].sort());
  }
}

function copyItem(item: KeyringItem): KeyringItem {
  const copy: KeyringItem = { key: item.key, data: item.data.slice() };
  if (item.label !== undefined) copy.label = item.label;
  if (item.description !== undefined) copy.description = item.description;
  return copy;
}
