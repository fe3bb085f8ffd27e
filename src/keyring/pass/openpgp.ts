/**
 * The part of OpenPGP (RFC 4880) a pass entry needs to be read without running gpg: the packets of
 * a message encrypted to one public key (a public-key encrypted session key, then a symmetrically
 * encrypted and integrity protected packet holding a literal data packet), as `pass insert` writes
 * them with its `--compress-algo=none`. The secret-key step stays in gpg-agent
 * ({@link ./gpg_agent.ts}); everything else is parsing, AES in CFB mode and the SHA-1 check.
 *
 * Anything else (compression, AEAD packets, other ciphers, several recipients we cannot tell
 * apart) is {@linkcode UnsupportedMessageError}: the caller runs gpg then, so this is a fast path,
 * never a second implementation to trust.
 *
 * @module
 */

/** The message uses a part of OpenPGP this fast path leaves to gpg. */
export class UnsupportedMessageError extends Error {
  override name = "UnsupportedMessageError";
}

/** One public-key encrypted session key packet (tag 1), version 3. */
export interface EncryptedSessionKey {
  /** The recipient key's ID, 16 upper-case hex digits ("0000000000000000" when hidden). */
  keyId: string;
  /** Public-key algorithm: 1/2 RSA, 18 ECDH. */
  algorithm: number;
  /** The algorithm's fields: for RSA one MPI (m^e mod n); for ECDH the ephemeral point and the wrapped key. */
  fields: Uint8Array[];
}

/** A message split into what gpg-agent must decrypt and what we decrypt with the session key. */
export interface ParsedMessage {
  sessionKeys: EncryptedSessionKey[];
  /** The body of the symmetrically encrypted integrity protected packet (tag 18), version byte excluded. */
  encrypted: Uint8Array;
}

interface Packet {
  tag: number;
  body: Uint8Array;
}

/** Splits `bytes` into packets (old and new formats, partial body lengths joined). */
export function readPackets(bytes: Uint8Array): Packet[] {
  const packets: Packet[] = [];
  let at = 0;
  const byte = () => {
    if (at >= bytes.length) throw new UnsupportedMessageError("truncated packet");
    return bytes[at++]!;
  };
  while (at < bytes.length) {
    const header = byte();
    if (!(header & 0x80)) throw new UnsupportedMessageError("not an OpenPGP packet");
    if (header & 0x40) {
      const tag = header & 0x3f;
      const parts: Uint8Array[] = [];
      for (;;) {
        const first = byte();
        let length: number;
        let partial = false;
        if (first < 192) length = first;
        else if (first < 224) length = ((first - 192) << 8) + byte() + 192;
        else if (first === 255) length = ((byte() << 24) | (byte() << 16) | (byte() << 8) | byte()) >>> 0;
        else {
          length = 1 << (first & 0x1f);
          partial = true;
        }
        if (at + length > bytes.length) throw new UnsupportedMessageError("truncated packet");
        parts.push(bytes.subarray(at, at + length));
        at += length;
        if (!partial) break;
      }
      packets.push({ tag, body: concat(parts) });
    } else {
      const tag = (header >> 2) & 0x0f;
      const type = header & 0x03;
      let length: number;
      if (type === 0) length = byte();
      else if (type === 1) length = (byte() << 8) | byte();
      else if (type === 2) length = ((byte() << 24) | (byte() << 16) | (byte() << 8) | byte()) >>> 0;
      else length = bytes.length - at;
      if (at + length > bytes.length) throw new UnsupportedMessageError("truncated packet");
      packets.push({ tag, body: bytes.subarray(at, at + length) });
      at += length;
    }
  }
  return packets;
}

/** Reads an encrypted message: its session key packets and its encrypted data. */
export function parseMessage(bytes: Uint8Array): ParsedMessage {
  const sessionKeys: EncryptedSessionKey[] = [];
  let encrypted: Uint8Array | undefined;
  for (const packet of readPackets(bytes)) {
    if (packet.tag === 1) sessionKeys.push(parseSessionKey(packet.body));
    else if (packet.tag === 18) {
      if (encrypted || packet.body[0] !== 1) {
        throw new UnsupportedMessageError("unsupported encrypted packet");
      }
      encrypted = packet.body.subarray(1);
    } else if (packet.tag === 3 || packet.tag === 20 || packet.tag === 9) {
      throw new UnsupportedMessageError(`packet type ${packet.tag} is left to gpg`);
    }
    // Marker (10) and other packets before the data are ignored, as gpg does.
  }
  if (!encrypted || sessionKeys.length === 0) throw new UnsupportedMessageError("not a public-key message");
  return { sessionKeys, encrypted };
}

function parseSessionKey(body: Uint8Array): EncryptedSessionKey {
  if (body[0] !== 3 || body.length < 10) throw new UnsupportedMessageError("unsupported session key packet");
  const keyId = hex(body.subarray(1, 9));
  const algorithm = body[9]!;
  const fields: Uint8Array[] = [];
  let at = 10;
  const mpi = () => {
    if (at + 2 > body.length) throw new UnsupportedMessageError("truncated MPI");
    const bits = (body[at]! << 8) | body[at + 1]!;
    const length = (bits + 7) >> 3;
    if (at + 2 + length > body.length) throw new UnsupportedMessageError("truncated MPI");
    const value = body.subarray(at + 2, at + 2 + length);
    at += 2 + length;
    return value;
  };
  if (algorithm === 1 || algorithm === 2) fields.push(mpi());
  else if (algorithm === 18) {
    fields.push(mpi());
    const length = body[at++];
    if (length === undefined || at + length > body.length) throw new UnsupportedMessageError("truncated key");
    fields.push(body.subarray(at, at + length));
  } else throw new UnsupportedMessageError(`public-key algorithm ${algorithm} is left to gpg`);
  return { keyId, algorithm, fields };
}

/** Key sizes by OpenPGP symmetric algorithm ID: AES-128 (7) and AES-256 (9), the ones Web Crypto has. */
const AES_KEY_BYTES: Record<number, number> = { 7: 16, 9: 32 };

/**
 * The session key from a decrypted session key block: `algorithm || key || checksum`, the checksum
 * being the sum of the key's bytes mod 65536 (RFC 4880 §5.1).
 */
export function sessionKeyFrom(block: Uint8Array): { algorithm: number; key: Uint8Array } {
  const algorithm = block[0]!;
  const size = AES_KEY_BYTES[algorithm];
  if (!size || block.length !== 1 + size + 2) {
    throw new UnsupportedMessageError(`cipher ${algorithm} is left to gpg`);
  }
  const key = block.subarray(1, 1 + size);
  const sum = key.reduce((total, value) => (total + value) & 0xffff, 0);
  if (sum !== ((block[1 + size]! << 8) | block[2 + size]!)) throw new Error("session key checksum mismatch");
  return { algorithm, key };
}

/** Removes PKCS #1 v1.5 encryption padding (0x00 0x02 PS 0x00 M, the leading zero possibly dropped). */
export function unpadPkcs1(value: Uint8Array): Uint8Array {
  const at = value[0] === 0 ? 1 : 0;
  if (value[at] !== 2) throw new Error("bad PKCS #1 padding");
  const end = value.indexOf(0, at + 1);
  if (end < at + 9) throw new Error("bad PKCS #1 padding");
  return value.subarray(end + 1);
}

/**
 * Decrypts the encrypted data with the session key (OpenPGP CFB, zero IV, no resync), checks the
 * random prefix and the modification detection code, and returns the literal data.
 */
export async function decryptData(
  encrypted: Uint8Array,
  session: { algorithm: number; key: Uint8Array },
): Promise<Uint8Array> {
  const plain = await cfbDecrypt(session.key, encrypted);
  const block = 16;
  if (plain.length < block + 2 + 22) throw new Error("encrypted data too short");
  if (plain[block] !== plain[block - 2] || plain[block + 1] !== plain[block - 1]) {
    throw new Error("wrong session key");
  }
  // The MDC packet (0xD3 0x14, then SHA-1 of everything before its hash) closes the plaintext.
  const mdcAt = plain.length - 22;
  if (plain[mdcAt] !== 0xd3 || plain[mdcAt + 1] !== 0x14) {
    throw new Error("missing modification detection code");
  }
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-1", plain.subarray(0, mdcAt + 2) as BufferSource),
  );
  if (!equal(digest, plain.subarray(mdcAt + 2))) throw new Error("modification detected");
  const packets = readPackets(plain.subarray(block + 2, mdcAt));
  if (packets.length !== 1 || packets[0]!.tag !== 11) {
    throw new UnsupportedMessageError("the encrypted data is not one literal data packet");
  }
  const literal = packets[0]!.body;
  const nameLength = literal[1] ?? 0;
  return literal.subarray(2 + nameLength + 4);
}

/** AES-CFB decryption with a zero IV: P[i] = C[i] xor E(C[i-1]), each E one Web Crypto AES-CTR block. */
async function cfbDecrypt(rawKey: Uint8Array, data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", rawKey as BufferSource, "AES-CTR", false, ["encrypt"]);
  const zero = new Uint8Array(16);
  const blocks = Math.ceil(data.length / 16);
  // E(x) is AES-CTR of a zero block with x as the counter block; every E is independent here.
  const streams = await Promise.all(
    Array.from({ length: blocks }, (_, i) => {
      const counter = i === 0 ? zero : data.slice((i - 1) * 16, i * 16);
      return crypto.subtle.encrypt({ name: "AES-CTR", counter, length: 128 }, key, zero);
    }),
  );
  const keystream = streams.map((stream) => new Uint8Array(stream));
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ keystream[i >> 4]![i & 15]!;
  return out;
}

/** What an ECDH recipient's public key adds to the key derivation (RFC 6637 §8). */
export interface EcdhRecipient {
  /** The subkey's v4 fingerprint, 40 hex digits. */
  fingerprint: string;
  /** The curve's OID bytes, hex. */
  oid: string;
  /** KDF hash (8 SHA-256, 9 SHA-384, 10 SHA-512) and key-wrap cipher (7 AES-128, 9 AES-256). */
  hash: number;
  cipher: number;
}

const HASHES: Record<number, string> = { 8: "SHA-256", 9: "SHA-384", 10: "SHA-512" };

/**
 * The ECDH parameters of every public (sub)key packet with algorithm 18 in `bytes` (the output of
 * `gpg --export`), by key ID.
 */
export async function ecdhRecipients(bytes: Uint8Array): Promise<Record<string, EcdhRecipient>> {
  const found: Record<string, EcdhRecipient> = {};
  for (const packet of readPackets(bytes)) {
    const body = packet.body;
    if ((packet.tag !== 6 && packet.tag !== 14) || body[0] !== 4 || body[5] !== 18) continue;
    const oidLength = body[6]!;
    const oid = body.subarray(7, 7 + oidLength);
    let at = 7 + oidLength;
    const bits = (body[at]! << 8) | body[at + 1]!;
    at += 2 + ((bits + 7) >> 3);
    if (body[at] !== 3 || body[at + 1] !== 1) continue;
    const header = new Uint8Array([0x99, body.length >> 8, body.length & 0xff]);
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-1", concat([header, body]) as BufferSource),
    );
    const fingerprint = hex(digest);
    found[fingerprint.slice(24)] = { fingerprint, oid: hex(oid), hash: body[at + 2]!, cipher: body[at + 3]! };
  }
  return found;
}

/**
 * The session key block of an ECDH session key packet, from the shared point gpg-agent computed:
 * KEK = KDF(x, parameters) (RFC 6637 §7), then AES key unwrap and the padding removed.
 */
export async function ecdhSessionBlock(
  shared: Uint8Array,
  wrapped: Uint8Array,
  recipient: EcdhRecipient,
): Promise<Uint8Array> {
  const hash = HASHES[recipient.hash];
  const kekBytes = AES_KEY_BYTES[recipient.cipher];
  if (!hash || !kekBytes) throw new UnsupportedMessageError("ECDH parameters left to gpg");
  // Montgomery curves: 0x40 || x; Weierstrass curves: 0x04 || x || y. The KDF takes x.
  let x: Uint8Array;
  if (shared[0] === 0x40) x = shared.subarray(1);
  else if (shared[0] === 0x04 && shared.length % 2 === 1) x = shared.subarray(1, 1 + (shared.length - 1) / 2);
  else throw new UnsupportedMessageError("unexpected shared point");
  const oid = unhex(recipient.oid);
  const params = concat([
    new Uint8Array([oid.length]),
    oid,
    new Uint8Array([18, 3, 1, recipient.hash, recipient.cipher]),
    new TextEncoder().encode("Anonymous Sender    "),
    unhex(recipient.fingerprint),
  ]);
  const digest = await crypto.subtle.digest(
    hash,
    concat([new Uint8Array([0, 0, 0, 1]), x, params]) as BufferSource,
  );
  const kek = await crypto.subtle.importKey("raw", digest.slice(0, kekBytes), "AES-KW", false, ["unwrapKey"]);
  // HMAC takes a key of any length: the unwrapped block is `algorithm || key || checksum || padding`.
  const unwrapped = await crypto.subtle.unwrapKey(
    "raw",
    wrapped as BufferSource,
    kek,
    "AES-KW",
    { name: "HMAC", hash: "SHA-256" },
    true,
    ["sign"],
  );
  const block = new Uint8Array(await crypto.subtle.exportKey("raw", unwrapped));
  const pad = block[block.length - 1]!;
  if (pad === 0 || pad > 8 || pad >= block.length) throw new Error("bad ECDH session key padding");
  return block.subarray(0, block.length - pad);
}

function unhex(text: string): Uint8Array {
  return new Uint8Array(text.match(/../g)?.map((pair) => parseInt(pair, 16)) ?? []);
}

/** `parts` joined into one byte array (the one part itself when there is one). */
export function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Byte-wise equality. */
export function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}
