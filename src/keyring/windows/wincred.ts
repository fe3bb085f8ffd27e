/**
 * The Windows Credential Manager backend through advapi32 (CredWriteW, CredReadW, CredDeleteW,
 * CredEnumerateW). Items are generic credentials named `keyring:aws-okta-login:<key>` whose blob is
 * the item's bytes: what 99designs/keyring (so Go aws-okta) wrote, so existing items are read.
 *
 * Target names are in wincred_target.ts, the advapi32 binding (struct layout, UTF-16, symbols) in
 * advapi32.ts; the library is opened only by {@linkcode WincredKeyring.open}, only on Windows.
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
import {
  type Advapi,
  buildCredential,
  CRED_TYPE_GENERIC,
  CREDENTIALW,
  ERROR_NOT_FOUND,
  openCredentialApi,
  readCredential,
  readUtf16z,
  utf16z,
} from "./advapi32.ts";
import { checkBlobSize, keyOfTarget, TARGET_PREFIX, targetName, win32ErrorText } from "./wincred_target.ts";

/** A {@linkcode Keyring} in the Windows Credential Manager. */
export class WincredKeyring implements Keyring {
  /** Always "wincred". */
  readonly backend = "wincred";
  readonly #api: Advapi;
  readonly #lastError: () => number;

  private constructor(api: Advapi, lastError: () => number) {
    this.#api = api;
    this.#lastError = lastError;
  }

  /** Opens advapi32.dll; anywhere but Windows, or without the DLL, a {@linkcode KeyringError}. */
  static open(): WincredKeyring {
    if (Deno.build.os !== "windows") {
      throw new KeyringError("wincred keyring unavailable: Windows only", { hint: "use --backend file" });
    }
    try {
      const { api, lastError } = openCredentialApi();
      return new WincredKeyring(api, lastError);
    } catch (error) {
      const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new KeyringError(`wincred keyring unavailable: cannot load "advapi32.dll": ${detail}`, {
        hint: "use --backend file",
        cause: error,
      });
    }
  }

  /** Reads `keyring:aws-okta-login:<key>`; rejects with {@linkcode KeyNotFoundError}. */
  get(key: string): Promise<KeyringItem> {
    return settle(() => {
      checkKey(key);
      const out = new BigUint64Array(1);
      if (!this.#api.CredReadW(utf16z(targetName(key)), CRED_TYPE_GENERIC, 0, new Uint8Array(out.buffer))) {
        const code = this.#lastError();
        if (code === ERROR_NOT_FOUND) throw new KeyNotFoundError(key, this.backend);
        throw this.#error(`cannot read "${key}"`, code);
      }
      const pointer = Deno.UnsafePointer.create(out[0]!)!;
      try {
        const credential = readCredential(pointer);
        const item: KeyringItem = { key, data: credential.blob };
        if (credential.comment.startsWith(LABEL_PREFIX)) {
          item.label = credential.comment.slice(LABEL_PREFIX.length);
        }
        return item;
      } finally {
        this.#api.CredFree(pointer);
      }
    });
  }

  /** Writes the item's bytes as the credential blob (at most 2560 bytes). */
  set(item: KeyringItem): Promise<void> {
    return settle(() => {
      checkKey(item.key);
      checkBlobSize(item.key, item.data.length);
      const memory = buildCredential(
        targetName(item.key),
        item.data,
        `${LABEL_PREFIX}${item.label || item.key}`,
      );
      try {
        if (!this.#api.CredWriteW(memory.struct, 0)) {
          throw this.#error(`cannot store "${item.key}"`, this.#lastError());
        }
      } finally {
        memory.buffers[1]!.fill(0);
      }
    });
  }

  /** Deletes the credential; a missing one is fine. */
  remove(key: string): Promise<void> {
    return settle(() => {
      checkKey(key);
      if (!this.#api.CredDeleteW(utf16z(targetName(key)), CRED_TYPE_GENERIC, 0)) {
        const code = this.#lastError();
        if (code !== ERROR_NOT_FOUND) throw this.#error(`cannot delete "${key}"`, code);
      }
    });
  }

  /** The keys of our credentials, sorted. */
  keys(): Promise<string[]> {
    return settle(() => {
      const count = new Uint32Array(1);
      const out = new BigUint64Array(1);
      const filter = utf16z(`${TARGET_PREFIX}*`);
      if (!this.#api.CredEnumerateW(filter, 0, new Uint8Array(count.buffer), new Uint8Array(out.buffer))) {
        const code = this.#lastError();
        if (code === ERROR_NOT_FOUND) return [];
        throw this.#error("cannot list credentials", code);
      }
      const array = Deno.UnsafePointer.create(out[0]!)!;
      try {
        const view = new Deno.UnsafePointerView(array);
        const keys: string[] = [];
        for (let i = 0; i < count[0]!; i++) {
          const credential = view.getPointer(i * 8);
          if (credential === null) continue;
          const target = readUtf16z(
            new Deno.UnsafePointerView(credential).getPointer(CREDENTIALW.TargetName),
          );
          const key = keyOfTarget(target);
          if (key !== undefined) keys.push(key);
        }
        return keys.sort();
      } finally {
        this.#api.CredFree(array);
      }
    });
  }

  #error(what: string, code: number): KeyringError {
    return new KeyringError(`wincred keyring: ${what}: ${win32ErrorText(code)}`, {
      hint: "use --backend file if the Credential Manager is not available to this session",
    });
  }
}
