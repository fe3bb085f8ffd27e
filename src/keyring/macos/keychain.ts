/**
 * The macOS Keychain backend through the Security framework (SecItemAdd, SecItemCopyMatching,
 * SecItemUpdate, SecItemDelete) and CoreFoundation. Items are generic passwords with service
 * "aws-okta-login" and account = key, whose data is the item's bytes: where 99designs/keyring (so
 * Go aws-okta) kept them, so existing items are found.
 *
 * Queries are first described as plain data (keychain_query.ts) and only then turned into
 * CoreFoundation objects (security_framework.ts), so what we ask the Keychain is tested on every OS;
 * the frameworks are opened only by {@linkcode KeychainKeyring.open}, only on macOS.
 *
 * @module
 */

import {
  checkKey,
  KeyNotFoundError,
  type Keyring,
  KeyringError,
  type KeyringItem,
  LABEL_PREFIX,
  settle,
} from "../keyring.ts";
import { keychainQuery, OSStatus, osStatusHint, osStatusText } from "./keychain_query.ts";
import { type CFScope, SecurityFramework } from "./security_framework.ts";

/** A {@linkcode Keyring} in the user's default macOS keychain. */
export class KeychainKeyring implements Keyring {
  /** Always "keychain". */
  readonly backend = "keychain";
  readonly #fw: SecurityFramework;

  private constructor(fw: SecurityFramework) {
    this.#fw = fw;
  }

  /** Opens the Security and CoreFoundation frameworks; anywhere but macOS, a {@linkcode KeyringError}. */
  static open(): KeychainKeyring {
    if (Deno.build.os !== "darwin") {
      throw new KeyringError("keychain keyring unavailable: macOS only", { hint: "use --backend file" });
    }
    try {
      return new KeychainKeyring(SecurityFramework.open());
    } catch (error) {
      const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new KeyringError(`keychain keyring unavailable: cannot load the Security framework: ${detail}`, {
        hint: "use --backend file",
        cause: error,
      });
    }
  }

  /** Reads the generic password (service "aws-okta-login", account `key`). */
  get(key: string): Promise<KeyringItem> {
    return this.#withScope((scope) => {
      checkKey(key);
      const result = new BigUint64Array(1);
      const status = this.#fw.sec.SecItemCopyMatching(
        this.#fw.dictionary(scope, keychainQuery("get", key)),
        new Uint8Array(result.buffer),
      );
      if (status === OSStatus.itemNotFound) throw new KeyNotFoundError(key, this.backend);
      if (status !== OSStatus.success) throw this.#error(`cannot read "${key}"`, status);
      const attributes = scope.own(Deno.UnsafePointer.create(result[0]!));
      const item: KeyringItem = {
        key,
        data: this.#fw.dataValue(attributes, "kSecValueData") ?? new Uint8Array(0),
      };
      const label = this.#fw.stringValue(attributes, "kSecAttrLabel");
      if (label) item.label = label.startsWith(LABEL_PREFIX) ? label.slice(LABEL_PREFIX.length) : label;
      const description = this.#fw.stringValue(attributes, "kSecAttrDescription");
      if (description) item.description = description;
      return item;
    });
  }

  /** Adds the item, or updates it in place when it exists (keeping its access list). */
  set(item: KeyringItem): Promise<void> {
    return this.#withScope((scope) => {
      checkKey(item.key);
      let status = this.#fw.sec.SecItemAdd(
        this.#fw.dictionary(scope, keychainQuery("add", item.key, item)),
        null,
      );
      if (status === OSStatus.duplicateItem) {
        status = this.#fw.sec.SecItemUpdate(
          this.#fw.dictionary(scope, keychainQuery("match", item.key)),
          this.#fw.dictionary(scope, keychainQuery("update", item.key, item)),
        );
      }
      if (status !== OSStatus.success) throw this.#error(`cannot store "${item.key}"`, status);
    });
  }

  /** Deletes the item; a missing one is fine. */
  remove(key: string): Promise<void> {
    return this.#withScope((scope) => {
      checkKey(key);
      const status = this.#fw.sec.SecItemDelete(this.#fw.dictionary(scope, keychainQuery("match", key)));
      if (status !== OSStatus.success && status !== OSStatus.itemNotFound) {
        throw this.#error(`cannot delete "${key}"`, status);
      }
    });
  }

  /** The accounts of every item with our service, sorted. */
  keys(): Promise<string[]> {
    return this.#withScope((scope) => {
      const result = new BigUint64Array(1);
      const status = this.#fw.sec.SecItemCopyMatching(
        this.#fw.dictionary(scope, keychainQuery("list")),
        new Uint8Array(result.buffer),
      );
      if (status === OSStatus.itemNotFound) return [];
      if (status !== OSStatus.success) throw this.#error("cannot list items", status);
      const array = scope.own(Deno.UnsafePointer.create(result[0]!));
      const keys: string[] = [];
      const count = Number(this.#fw.cf.CFArrayGetCount(array));
      for (let i = 0; i < count; i++) {
        const attributes = this.#fw.cf.CFArrayGetValueAtIndex(array, BigInt(i));
        const account = attributes === null ? undefined : this.#fw.stringValue(attributes, "kSecAttrAccount");
        if (account !== undefined) keys.push(account);
      }
      return keys.sort();
    });
  }

  /** Runs `fn` with a scope whose CoreFoundation objects are released afterwards; failures reject. */
  #withScope<T>(fn: (scope: CFScope) => T): Promise<T> {
    return settle(() => this.#fw.withScope(fn));
  }

  #error(what: string, status: number): KeyringError {
    let detail = osStatusText(status);
    if (detail.startsWith("OSStatus")) {
      const message = this.#fw.errorMessage(status);
      if (message !== undefined) detail = `${message} (${detail})`;
    }
    return new KeyringError(`keychain keyring: ${what}: ${detail}`, { hint: osStatusHint(status) });
  }
}
