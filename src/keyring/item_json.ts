/**
 * The JSON form of 99designs/keyring's `Item` struct, the plaintext inside every file-backend
 * token: `{"Key","Data" (standard base64, as Go encodes []byte),"Label","Description",
 * "KeychainNotTrustApplication","KeychainNotSynchronizable"}`.
 *
 * @module
 */

import { goJsonStringify } from "./go_json.ts";
import type { KeyringItem } from "./keyring.ts";

/** The plaintext is not a Go keyring item; `message` never includes any of the plaintext. */
export class ItemFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ItemFormatError";
  }
}

/** Serializes `item` exactly as Go's json.Marshal(keyring.Item) would. */
export function encodeItem(item: KeyringItem): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(goJsonStringify({
    Key: item.key,
    Data: item.data.toBase64(),
    Label: item.label ?? "",
    Description: item.description ?? "",
    KeychainNotTrustApplication: false,
    KeychainNotSynchronizable: false,
  }));
}

/**
 * Parses a Go keyring item. Empty Label/Description are left out of the result; a null Data (Go's
 * nil slice) reads as no bytes. Throws {@linkcode ItemFormatError}.
 */
export function decodeItem(plaintext: Uint8Array): KeyringItem {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    // JSON.parse's message quotes the input, which is secret: say only what went wrong.
    throw new ItemFormatError("item is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ItemFormatError("item is not a JSON object");
  }
  const record = value as Record<string, unknown>;
  const key = optionalString(record, "Key");
  const label = optionalString(record, "Label");
  const description = optionalString(record, "Description");
  const item: KeyringItem = { key, data: decodeData(record.Data) };
  if (label) item.label = label;
  if (description) item.description = description;
  return item;
}

function decodeData(data: unknown): Uint8Array {
  if (data === undefined || data === null) return new Uint8Array(0);
  if (typeof data !== "string") throw new ItemFormatError(`item "Data" is not a string`);
  try {
    return Uint8Array.fromBase64(data);
  } catch {
    throw new ItemFormatError(`item "Data" is not base64`);
  }
}

function optionalString(record: Record<string, unknown>, field: string): string {
  const value = record[field];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new ItemFormatError(`item "${field}" is not a string`);
  return value;
}
