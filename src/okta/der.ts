/**
 * Just enough DER (ASN.1) to re-wrap private keys: read one TLV at a time, and build SEQUENCE,
 * INTEGER, OCTET STRING, OBJECT IDENTIFIER and NULL. WebCrypto imports only PKCS#8, so PKCS#1 RSA
 * and SEC1 EC keys are wrapped into PKCS#8 with these.
 *
 * @module
 */

/** One DER element. */
export interface Tlv {
  /** The full tag byte (class, constructed bit and number). */
  tag: number;
  /** The contents. */
  value: Uint8Array;
  /** Offset just past the element in the input. */
  end: number;
}

/** Thrown for input that is not well-formed DER; never includes key bytes. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

/** Reads the element at `offset`. */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv {
  if (offset + 2 > bytes.length) throw new DerError("truncated DER element");
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte DER tags are not supported");
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > bytes.length) throw new DerError("bad DER length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new DerError("truncated DER element");
  return { tag, value: bytes.subarray(start, end), end };
}

/** The elements inside a constructed element's contents. */
export function readChildren(value: Uint8Array): Tlv[] {
  const children: Tlv[] = [];
  for (let offset = 0; offset < value.length;) {
    const child = readTlv(value, offset);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** Encodes one element. */
export function tlv(tag: number, value: Uint8Array): Uint8Array {
  const length = value.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  const out = new Uint8Array(header.length + length);
  out.set(header);
  out.set(value, header.length);
  return out;
}

/** SEQUENCE of the given encoded elements. */
export function sequence(...items: Uint8Array[]): Uint8Array {
  return tlv(0x30, concat(items));
}

/** A small non-negative INTEGER. */
export function integer(value: number): Uint8Array {
  return tlv(0x02, Uint8Array.of(value));
}

/** OCTET STRING. */
export function octetString(value: Uint8Array): Uint8Array {
  return tlv(0x04, value);
}

/** NULL. */
export function derNull(): Uint8Array {
  return Uint8Array.of(0x05, 0x00);
}

/** OBJECT IDENTIFIER from dotted text, e.g. "1.2.840.113549.1.1.1". */
export function oid(dotted: string): Uint8Array {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let n = Math.floor(part / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

/** Dotted text of an OBJECT IDENTIFIER's contents. */
export function oidText(value: Uint8Array): string {
  if (value.length === 0) throw new DerError("empty OID");
  const first = value[0]!;
  const parts = [Math.min(2, Math.floor(first / 40)), first - 40 * Math.min(2, Math.floor(first / 40))];
  let n = 0;
  for (const byte of value.subarray(1)) {
    n = n * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join(".");
}

function concat(items: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(items.reduce((sum, item) => sum + item.length, 0));
  let offset = 0;
  for (const item of items) {
    out.set(item, offset);
    offset += item.length;
  }
  return out;
}
