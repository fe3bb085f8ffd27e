/**
 * The Windows Credential Manager's C interface through `Deno.dlopen` (advapi32: CredWriteW,
 * CredReadW, CredDeleteW, CredEnumerateW, CredFree): the CREDENTIALW layout and UTF-16 strings as
 * plain functions over memory, tested on every OS; the libraries are opened only on Windows.
 *
 * @module
 */

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

const SYMBOLS = {
  CredWriteW: { parameters: ["buffer", "u32"], result: "i32" },
  CredReadW: { parameters: ["buffer", "u32", "u32", "buffer"], result: "i32" },
  CredDeleteW: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  CredEnumerateW: { parameters: ["buffer", "u32", "buffer", "buffer"], result: "i32" },
  CredFree: { parameters: ["pointer"], result: "void" },
} as const;

const KERNEL32 = { GetLastError: { parameters: [], result: "u32" } } as const;

/** advapi32's credential functions. */
export type Advapi = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** The opened libraries: advapi32's credential functions and kernel32's GetLastError. */
export interface CredentialApi {
  /** CredWriteW, CredReadW, CredDeleteW, CredEnumerateW, CredFree. */
  api: Advapi;
  /** The calling thread's last error code. */
  lastError: () => number;
}

/** Opens advapi32.dll and kernel32.dll; throws what `Deno.dlopen` throws. */
export function openCredentialApi(): CredentialApi {
  const advapi = Deno.dlopen("advapi32.dll", SYMBOLS);
  const kernel = Deno.dlopen("kernel32.dll", KERNEL32);
  return { api: advapi.symbols, lastError: () => kernel.symbols.GetLastError() };
}
