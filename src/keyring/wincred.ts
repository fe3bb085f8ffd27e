/**
 * The Windows Credential Manager backend through advapi32 (CredWriteW, CredReadW, CredDeleteW,
 * CredEnumerateW). Items are generic credentials named `keyring:aws-okta-login:<key>` whose blob is
 * the item's bytes: what 99designs/keyring (so Go aws-okta) wrote, so existing items are read.
 *
 * The struct layout and UTF-16 handling are plain functions over memory, tested on every OS; the
 * library is opened only by {@linkcode WincredKeyring.open}, only on Windows.
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
  SERVICE_NAME,
  settle,
} from "./keyring.ts";

/** Target name prefix: 99designs/keyring's `<WinCredPrefix>:<ServiceName>:` with aws-okta's values. */
export const TARGET_PREFIX = `keyring:${SERVICE_NAME}:`;
/** CRED_MAX_CREDENTIAL_BLOB_SIZE (5 * 512 bytes). */
export const MAX_BLOB_BYTES = 5 * 512;
/** CRED_TYPE_GENERIC. */
export const CRED_TYPE_GENERIC = 1;
/** CRED_PERSIST_LOCAL_MACHINE (what 99designs/keyring's wincred package uses). */
export const CRED_PERSIST_LOCAL_MACHINE = 2;
/** ERROR_NOT_FOUND. */
export const ERROR_NOT_FOUND = 1168;

/** Byte offsets of CREDENTIALW's fields on 64-bit Windows (x64 and arm64 share the layout). */
export const CREDENTIALW = {
  Flags: 0,
  Type: 4,
  TargetName: 8,
  Comment: 16,
  LastWritten: 24,
  CredentialBlobSize: 32,
  CredentialBlob: 40,
  Persist: 48,
  AttributeCount: 52,
  Attributes: 56,
  TargetAlias: 64,
  UserName: 72,
  size: 80,
} as const;

/** The credential target of `key`. */
export function targetName(key: string): string {
  return `${TARGET_PREFIX}${key}`;
}

/** The key of a credential target, or undefined when the target is not one of ours. */
export function keyOfTarget(target: string): string | undefined {
  return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
}

/** `text` as NUL-terminated UTF-16LE (what the W functions take). */
export function utf16z(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array((text.length + 1) * 2);
  const view = new DataView(bytes.buffer);
  // JS strings are UTF-16 already (surrogate pairs included): copy the code units, little-endian.
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
  return bytes;
}

/** Reads a NUL-terminated UTF-16LE string at `pointer` (at most `maxUnits` code units). */
export function readUtf16z(pointer: Deno.PointerValue, maxUnits = 32_768): string {
  if (pointer === null) return "";
  const view = new Deno.UnsafePointerView(pointer);
  const units: number[] = [];
  for (let i = 0; i < maxUnits; i++) {
    const unit = view.getUint16(i * 2);
    if (unit === 0) break;
    units.push(unit);
  }
  let text = "";
  for (let i = 0; i < units.length; i += 4096) text += String.fromCharCode(...units.slice(i, i + 4096));
  return text;
}

/** A CREDENTIALW in memory and the buffers it points to (keep them alive during the call). */
export interface CredentialMemory {
  /** The 80-byte struct. */
  struct: Uint8Array<ArrayBuffer>;
  /** Target, comment and blob buffers the struct points to. */
  buffers: Uint8Array<ArrayBuffer>[];
}

function address(buffer: Uint8Array<ArrayBuffer>): bigint {
  return buffer.length === 0 ? 0n : BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
}

/** Lays out a generic, machine-persisted credential. */
export function buildCredential(target: string, blob: Uint8Array, comment?: string): CredentialMemory {
  const struct = new Uint8Array(CREDENTIALW.size);
  const view = new DataView(struct.buffer);
  const targetBytes = utf16z(target);
  const blobBytes = blob.slice();
  const buffers = [targetBytes, blobBytes];
  view.setUint32(CREDENTIALW.Type, CRED_TYPE_GENERIC, true);
  view.setBigUint64(CREDENTIALW.TargetName, address(targetBytes), true);
  if (comment !== undefined) {
    const commentBytes = utf16z(comment);
    buffers.push(commentBytes);
    view.setBigUint64(CREDENTIALW.Comment, address(commentBytes), true);
  }
  view.setUint32(CREDENTIALW.CredentialBlobSize, blobBytes.length, true);
  view.setBigUint64(CREDENTIALW.CredentialBlob, address(blobBytes), true);
  view.setUint32(CREDENTIALW.Persist, CRED_PERSIST_LOCAL_MACHINE, true);
  return { struct, buffers };
}

/** The fields of a CREDENTIALW that we use. */
export interface Credential {
  /** CRED_TYPE_*. */
  type: number;
  /** The target name. */
  targetName: string;
  /** The comment ("" when none). */
  comment: string;
  /** A copy of the blob. */
  blob: Uint8Array;
  /** CRED_PERSIST_*. */
  persist: number;
}

/** Reads a CREDENTIALW at `pointer` (copying the blob, so the memory can be freed). */
export function readCredential(pointer: Deno.PointerObject): Credential {
  const view = new Deno.UnsafePointerView(pointer);
  const size = view.getUint32(CREDENTIALW.CredentialBlobSize);
  const blobPointer = view.getPointer(CREDENTIALW.CredentialBlob);
  const blob = size === 0 || blobPointer === null
    ? new Uint8Array(0)
    : new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(blobPointer, size)).slice();
  return {
    type: view.getUint32(CREDENTIALW.Type),
    targetName: readUtf16z(view.getPointer(CREDENTIALW.TargetName)),
    comment: readUtf16z(view.getPointer(CREDENTIALW.Comment)),
    blob,
    persist: view.getUint32(CREDENTIALW.Persist),
  };
}

/** Refuses blobs the Credential Manager would reject, with a message that says what to do. */
export function checkBlobSize(key: string, size: number): void {
  if (size > MAX_BLOB_BYTES) {
    throw new KeyringError(
      `wincred keyring: item "${key}" is ${size} bytes; Windows Credential Manager holds at most ${MAX_BLOB_BYTES}`,
      { hint: "drop --session-cache-single-item, or use --backend file" },
    );
  }
}

/** Windows error codes we can name. */
export function win32ErrorText(code: number): string {
  const known: Record<number, string> = {
    5: "access denied",
    87: "invalid parameter",
    1168: "element not found",
    1312: "no logon session (Credential Manager is not available to this process)",
    1783: "bad credential data",
  };
  return known[code] ?? `Windows error ${code}`;
}

const SYMBOLS = {
  CredWriteW: { parameters: ["buffer", "u32"], result: "i32" },
  CredReadW: { parameters: ["buffer", "u32", "u32", "buffer"], result: "i32" },
  CredDeleteW: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  CredEnumerateW: { parameters: ["buffer", "u32", "buffer", "buffer"], result: "i32" },
  CredFree: { parameters: ["pointer"], result: "void" },
} as const;

const KERNEL32 = { GetLastError: { parameters: [], result: "u32" } } as const;

type Advapi = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

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
      const advapi = Deno.dlopen("advapi32.dll", SYMBOLS);
      const kernel = Deno.dlopen("kernel32.dll", KERNEL32);
      return new WincredKeyring(advapi.symbols, () => kernel.symbols.GetLastError());
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
