/**
 * The D-Bus wire format (marshalling and message framing), just enough for a small client: the
 * availability probes and the KWallet backend talk to the session bus with it, without FFI.
 *
 * Values map to JavaScript as: y n q i u d → number; x t → bigint; b → boolean; s o g → string;
 * `ay` → Uint8Array; other arrays → arrays; dicts `a{..}` → Map; structs → arrays; v → {@linkcode DBusVariant}.
 *
 * @module
 */

/** A value of some D-Bus type (see the module doc for the mapping). */
export type DBusValue =
  | number
  | bigint
  | boolean
  | string
  | Uint8Array
  | DBusValue[]
  | Map<DBusValue, DBusValue>
  | DBusVariant;

/** A variant: a value that carries its own signature. */
export interface DBusVariant {
  /** The single complete type of `value`. */
  signature: string;
  /** The value. */
  value: DBusValue;
}

/** Message types. */
export const MessageType = {
  METHOD_CALL: 1,
  METHOD_RETURN: 2,
  ERROR: 3,
  SIGNAL: 4,
} as const;

/** A D-Bus message with its header fields decoded. */
export interface DBusMessage {
  /** One of {@linkcode MessageType}. */
  type: number;
  /** Header flags (1 = no reply expected). */
  flags: number;
  /** The sender's serial of this message (non-zero). */
  serial: number;
  /** Object path (calls and signals). */
  path?: string;
  /** Interface name. */
  interface?: string;
  /** Method or signal name. */
  member?: string;
  /** Error name (errors). */
  errorName?: string;
  /** Serial of the call this message answers (returns and errors). */
  replySerial?: number;
  /** Bus name of the receiver. */
  destination?: string;
  /** Bus name of the sender (set by the bus). */
  sender?: string;
  /** Signature of the body ("" when there is none). */
  signature: string;
  /** The body values, one per complete type of `signature`. */
  body: DBusValue[];
}

/** The bytes are not valid D-Bus data, or a value does not fit its type. */
export class DBusWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DBusWireError";
  }
}

/** The largest message we accept (the specification allows 128 MiB; we never need more than a few KiB). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const FIELD = {
  PATH: 1,
  INTERFACE: 2,
  MEMBER: 3,
  ERROR_NAME: 4,
  REPLY_SERIAL: 5,
  DESTINATION: 6,
  SENDER: 7,
  SIGNATURE: 8,
};

const ALIGN: Record<string, number> = {
  y: 1,
  b: 4,
  n: 2,
  q: 2,
  i: 4,
  u: 4,
  x: 8,
  t: 8,
  d: 8,
  s: 4,
  o: 4,
  g: 1,
  a: 4,
  "(": 8,
  "{": 8,
  v: 1,
  h: 4,
};

/** Splits a signature into its complete types ("sa{sv}i" → ["s", "a{sv}", "i"]). */
export function splitSignature(signature: string): string[] {
  const types: string[] = [];
  let index = 0;
  while (index < signature.length) {
    const end = completeTypeEnd(signature, index);
    types.push(signature.slice(index, end));
    index = end;
  }
  return types;
}

/** The index just after the complete type starting at `start`. */
function completeTypeEnd(signature: string, start: number): number {
  const c = signature[start];
  if (c === undefined) throw new DBusWireError(`truncated signature "${signature}"`);
  if (c === "a") return completeTypeEnd(signature, start + 1);
  if (c === "(" || c === "{") {
    const close = c === "(" ? ")" : "}";
    let index = start + 1;
    while (signature[index] !== close) {
      if (index >= signature.length) throw new DBusWireError(`unclosed "${c}" in signature "${signature}"`);
      index = completeTypeEnd(signature, index);
    }
    return index + 1;
  }
  if (!(c in ALIGN) || c === "h") {
    throw new DBusWireError(`unsupported type "${c}" in signature "${signature}"`);
  }
  return start + 1;
}

/** Growable little-endian buffer with D-Bus alignment. */
class Writer {
  #bytes = new Uint8Array(256);
  #view = new DataView(this.#bytes.buffer);
  length = 0;

  #reserve(extra: number): void {
    if (this.length + extra <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.#reserve(pad);
    this.#bytes.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  u8(value: number): void {
    this.#reserve(1);
    this.#bytes[this.length++] = value;
  }

  u32At(offset: number, value: number): void {
    this.#view.setUint32(offset, value, true);
  }

  fixed(type: string, value: number | bigint): void {
    const size = { n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8 }[type]!;
    this.align(size);
    this.#reserve(size);
    const at = this.length;
    switch (type) {
      case "n":
        this.#view.setInt16(at, Number(value), true);
        break;
      case "q":
        this.#view.setUint16(at, Number(value), true);
        break;
      case "i":
        this.#view.setInt32(at, Number(value), true);
        break;
      case "u":
        this.#view.setUint32(at, Number(value), true);
        break;
      case "x":
        this.#view.setBigInt64(at, BigInt(value), true);
        break;
      case "t":
        this.#view.setBigUint64(at, BigInt(value), true);
        break;
      case "d":
        this.#view.setFloat64(at, Number(value), true);
        break;
    }
    this.length += size;
  }

  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  bytes(): Uint8Array {
    return this.#bytes.slice(0, this.length);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function writeValue(w: Writer, type: string, value: DBusValue): void {
  const c = type[0];
  switch (c) {
    case "y":
      w.u8(expectNumber(value, type));
      return;
    case "b":
      if (typeof value !== "boolean") throw mismatch(type, value);
      w.fixed("u", value ? 1 : 0);
      return;
    case "n":
    case "q":
    case "i":
    case "u":
    case "d":
      w.fixed(c, expectNumber(value, type));
      return;
    case "x":
    case "t":
      if (typeof value !== "bigint" && typeof value !== "number") throw mismatch(type, value);
      w.fixed(c, value);
      return;
    case "s":
    case "o": {
      if (typeof value !== "string") throw mismatch(type, value);
      const bytes = encoder.encode(value);
      w.fixed("u", bytes.length);
      w.raw(bytes);
      w.u8(0);
      return;
    }
    case "g": {
      if (typeof value !== "string") throw mismatch(type, value);
      const bytes = encoder.encode(value);
      if (bytes.length > 255) throw new DBusWireError("signature longer than 255 bytes");
      w.u8(bytes.length);
      w.raw(bytes);
      w.u8(0);
      return;
    }
    case "v": {
      if (!isVariant(value)) throw mismatch(type, value);
      writeValue(w, "g", value.signature);
      writeValue(w, value.signature, value.value);
      return;
    }
    case "(": {
      if (!Array.isArray(value)) throw mismatch(type, value);
      const fields = splitSignature(type.slice(1, -1));
      if (fields.length !== value.length) throw mismatch(type, value);
      w.align(8);
      fields.forEach((field, i) => writeValue(w, field, value[i]!));
      return;
    }
    case "a": {
      const element = type.slice(1);
      w.fixed("u", 0);
      const lengthAt = w.length - 4;
      w.align(ALIGN[element[0]!]!);
      const start = w.length;
      if (element === "y") {
        if (!(value instanceof Uint8Array)) throw mismatch(type, value);
        w.raw(value);
      } else if (element[0] === "{") {
        if (!(value instanceof Map)) throw mismatch(type, value);
        const [keyType, valueType] = splitSignature(element.slice(1, -1));
        for (const [k, v] of value) {
          w.align(8);
          writeValue(w, keyType!, k);
          writeValue(w, valueType!, v);
        }
      } else {
        if (!Array.isArray(value)) throw mismatch(type, value);
        for (const item of value) writeValue(w, element, item);
      }
      w.u32At(lengthAt, w.length - start);
      return;
    }
    default:
      throw new DBusWireError(`unsupported type "${type}"`);
  }
}

function expectNumber(value: DBusValue, type: string): number {
  if (typeof value !== "number") throw mismatch(type, value);
  return value;
}

function isVariant(value: DBusValue): value is DBusVariant {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Map) &&
    !(value instanceof Uint8Array) && typeof (value as DBusVariant).signature === "string";
}

function mismatch(type: string, value: DBusValue): DBusWireError {
  const kind = Array.isArray(value) ? "array" : value instanceof Map ? "map" : typeof value;
  return new DBusWireError(`a ${kind} does not fit D-Bus type "${type}"`);
}

/** Bounds-checked reader over one message, in the message's byte order. */
class Reader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #little: boolean;
  offset = 0;

  constructor(bytes: Uint8Array, little: boolean) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#little = little;
  }

  #need(n: number): void {
    if (this.offset + n > this.#bytes.length) throw new DBusWireError("message truncated");
  }

  align(n: number): void {
    const pad = (n - (this.offset % n)) % n;
    this.#need(pad);
    this.offset += pad;
  }

  u8(): number {
    this.#need(1);
    return this.#bytes[this.offset++]!;
  }

  fixed(type: string): number | bigint {
    const size = { n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8 }[type]!;
    this.align(size);
    this.#need(size);
    const at = this.offset;
    this.offset += size;
    switch (type) {
      case "n":
        return this.#view.getInt16(at, this.#little);
      case "q":
        return this.#view.getUint16(at, this.#little);
      case "i":
        return this.#view.getInt32(at, this.#little);
      case "u":
        return this.#view.getUint32(at, this.#little);
      case "x":
        return this.#view.getBigInt64(at, this.#little);
      case "t":
        return this.#view.getBigUint64(at, this.#little);
      default:
        return this.#view.getFloat64(at, this.#little);
    }
  }

  raw(n: number): Uint8Array {
    this.#need(n);
    const out = this.#bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

function readValue(r: Reader, type: string, depth = 0): DBusValue {
  if (depth > 64) throw new DBusWireError("values nested too deeply");
  const c = type[0];
  switch (c) {
    case "y":
      return r.u8();
    case "b": {
      const value = r.fixed("u");
      if (value !== 0 && value !== 1) throw new DBusWireError("boolean is neither 0 nor 1");
      return value === 1;
    }
    case "n":
    case "q":
    case "i":
    case "u":
    case "d":
    case "x":
    case "t":
      return r.fixed(c);
    case "s":
    case "o":
    case "g": {
      const length = c === "g" ? r.u8() : Number(r.fixed("u"));
      const text = decodeText(r.raw(length));
      if (r.u8() !== 0) throw new DBusWireError("string is not NUL-terminated");
      return text;
    }
    case "v": {
      const signature = readValue(r, "g") as string;
      const types = splitSignature(signature);
      if (types.length !== 1) throw new DBusWireError(`variant signature "${signature}" is not one type`);
      return { signature, value: readValue(r, signature, depth + 1) };
    }
    case "(": {
      r.align(8);
      return splitSignature(type.slice(1, -1)).map((field) => readValue(r, field, depth + 1));
    }
    case "a": {
      const element = type.slice(1);
      const length = Number(r.fixed("u"));
      if (length > MAX_MESSAGE_BYTES) throw new DBusWireError("array too long");
      r.align(ALIGN[element[0]!]!);
      const end = r.offset + length;
      if (element === "y") return r.raw(length);
      if (element[0] === "{") {
        const [keyType, valueType] = splitSignature(element.slice(1, -1));
        const map = new Map<DBusValue, DBusValue>();
        while (r.offset < end) {
          r.align(8);
          const key = readValue(r, keyType!, depth + 1);
          map.set(key, readValue(r, valueType!, depth + 1));
        }
        if (r.offset !== end) throw new DBusWireError("array length does not match its contents");
        return map;
      }
      const items: DBusValue[] = [];
      while (r.offset < end) items.push(readValue(r, element, depth + 1));
      if (r.offset !== end) throw new DBusWireError("array length does not match its contents");
      return items;
    }
    default:
      throw new DBusWireError(`unsupported type "${type}"`);
  }
}

function decodeText(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new DBusWireError("string is not UTF-8");
  }
}

/** Marshals `values` (one per complete type of `signature`) as a little-endian body. */
export function marshal(signature: string, values: readonly DBusValue[]): Uint8Array {
  const types = splitSignature(signature);
  if (types.length !== values.length) {
    throw new DBusWireError(`signature "${signature}" needs ${types.length} values, got ${values.length}`);
  }
  const w = new Writer();
  types.forEach((type, i) => writeValue(w, type, values[i]!));
  return w.bytes();
}

/** Reads the values of `signature` from a little-endian (or big-endian) body. */
export function unmarshal(signature: string, bytes: Uint8Array, littleEndian = true): DBusValue[] {
  const r = new Reader(bytes, littleEndian);
  const values = splitSignature(signature).map((type) => readValue(r, type));
  if (r.offset !== bytes.length) throw new DBusWireError("body longer than its signature");
  return values;
}

/** Encodes a message (little-endian, protocol version 1). */
export function encodeMessage(message: DBusMessage): Uint8Array {
  const body = marshal(message.signature, message.body);
  const fields = new Map<number, DBusVariant>();
  const text = (code: number, signature: string, value: string | undefined) => {
    if (value !== undefined) fields.set(code, { signature, value });
  };
  text(FIELD.PATH, "o", message.path);
  text(FIELD.INTERFACE, "s", message.interface);
  text(FIELD.MEMBER, "s", message.member);
  text(FIELD.ERROR_NAME, "s", message.errorName);
  if (message.replySerial !== undefined) {
    fields.set(FIELD.REPLY_SERIAL, { signature: "u", value: message.replySerial });
  }
  text(FIELD.DESTINATION, "s", message.destination);
  text(FIELD.SENDER, "s", message.sender);
  if (message.signature !== "") fields.set(FIELD.SIGNATURE, { signature: "g", value: message.signature });
  const w = new Writer();
  w.raw(new Uint8Array([0x6c, message.type, message.flags, 1]));
  w.fixed("u", body.length);
  w.fixed("u", message.serial);
  writeValue(w, "a(yv)", [...fields].map(([code, variant]) => [code, variant]));
  w.align(8);
  w.raw(body);
  return w.bytes();
}

/**
 * The total length of the message at the start of `bytes`, or undefined when fewer than 16 bytes
 * are there to tell. Throws on a header that cannot start a message.
 */
export function messageLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 16) return undefined;
  const endian = bytes[0];
  if (endian !== 0x6c && endian !== 0x42) throw new DBusWireError("bad byte-order mark");
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const little = endian === 0x6c;
  const bodyLength = view.getUint32(4, little);
  const fieldsLength = view.getUint32(12, little);
  const headerLength = 16 + fieldsLength + ((8 - (fieldsLength % 8)) % 8);
  const total = headerLength + bodyLength;
  if (total > MAX_MESSAGE_BYTES) throw new DBusWireError("message too large");
  return total;
}

/** Decodes one complete message (exactly {@linkcode messageLength} bytes). */
export function decodeMessage(bytes: Uint8Array): DBusMessage {
  const little = bytes[0] === 0x6c;
  if (bytes[3] !== 1) throw new DBusWireError(`unsupported D-Bus protocol version ${bytes[3]}`);
  const r = new Reader(bytes, little);
  r.raw(4);
  const bodyLength = Number(r.fixed("u"));
  const serial = Number(r.fixed("u"));
  const fields = readValue(r, "a(yv)") as [number, DBusVariant][];
  r.align(8);
  const message: DBusMessage = { type: bytes[1]!, flags: bytes[2]!, serial, signature: "", body: [] };
  for (const [code, variant] of fields) {
    const value = variant.value;
    switch (code) {
      case FIELD.PATH:
        message.path = String(value);
        break;
      case FIELD.INTERFACE:
        message.interface = String(value);
        break;
      case FIELD.MEMBER:
        message.member = String(value);
        break;
      case FIELD.ERROR_NAME:
        message.errorName = String(value);
        break;
      case FIELD.REPLY_SERIAL:
        message.replySerial = Number(value);
        break;
      case FIELD.DESTINATION:
        message.destination = String(value);
        break;
      case FIELD.SENDER:
        message.sender = String(value);
        break;
      case FIELD.SIGNATURE:
        message.signature = String(value);
        break;
    }
  }
  const body = r.raw(bodyLength);
  if (r.offset !== bytes.length) throw new DBusWireError("message length does not match its header");
  // Alignment is relative to the message start, but the header is padded to 8 bytes, so aligning
  // relative to the body gives the same offsets.
  message.body = message.signature === "" ? [] : unmarshal(message.signature, body, little);
  return message;
}
