/**
 * A gpg-agent client for one operation, PKDECRYPT: the agent decrypts a session key with a secret
 * key it holds (asking for that key's passphrase only through its own pinentry), over the Assuan
 * protocol on the agent's Unix socket. gpg does exactly this for every `pass show`; talking to the
 * agent directly saves starting gpg (which reads the keyrings and the trust database) on every
 * cache hit of the pass backend.
 *
 * The agent is told `pinentry-mode=error`: when the key is locked it answers with an error instead
 * of prompting, and the caller runs gpg, which prompts the way the user knows.
 *
 * @module
 */

import { concat } from "./openpgp.ts";

/** The agent refused or failed (locked key, no such key, protocol error); the caller falls back to gpg. */
export class AgentError extends Error {
  override name = "AgentError";
}

/** A parsed canonical S-expression: a byte string or a list. */
export type Sexp = Uint8Array | Sexp[];

/**
 * Asks the agent at `socketPath` to decrypt `ciphertext` (a canonical S-expression
 * `(enc-val (rsa (a …)))` or `(enc-val (ecdh (s …)(e …)))`) with the key `keygrip`; returns the
 * agent's `(value …)` bytes.
 */
export async function agentDecrypt(
  socketPath: string,
  keygrip: string,
  ciphertext: Uint8Array,
): Promise<Uint8Array> {
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: socketPath });
  } catch (error) {
    throw new AgentError(`no gpg-agent at ${socketPath}: ${error instanceof Error ? error.message : error}`);
  }
  const session = new AssuanSession(conn);
  try {
    // One write for the three commands (Assuan answers them in order): one round trip, not four.
    await session.send(`OPTION pinentry-mode=error\nSETKEY ${keygrip}\nPKDECRYPT\n`);
    await session.expectOk(); // the greeting
    await session.expectOk(); // OPTION
    await session.expectOk(); // SETKEY
    const data = await session.expectOk({ CIPHERTEXT: ciphertext });
    const value = findValue(parseSexp(data));
    if (!value) throw new AgentError("gpg-agent answered without a value");
    return value;
  } finally {
    try {
      conn.close();
    } catch {
      // already closed by the agent
    }
  }
}

/** One Assuan conversation: commands, inquiries answered from a table, data lines collected. */
class AssuanSession {
  readonly #conn: Deno.UnixConn;
  readonly #decoder = new TextDecoder();
  #buffer: Uint8Array = new Uint8Array(0);

  constructor(conn: Deno.UnixConn) {
    this.#conn = conn;
  }

  /** Sends command lines (each ending in a newline) without waiting for their answers. */
  async send(lines: string): Promise<void> {
    await this.#write(new TextEncoder().encode(lines));
  }

  async expectOk(inquiries: Record<string, Uint8Array> = {}): Promise<Uint8Array> {
    const data: Uint8Array[] = [];
    for (;;) {
      const line = await this.#readLine();
      if (line.length === 0) continue;
      const text = this.#decoder.decode(line.subarray(0, Math.min(line.length, 64)));
      if (text === "OK" || text.startsWith("OK ")) return concat(data);
      if (text.startsWith("ERR ")) throw new AgentError(`gpg-agent: ${this.#decoder.decode(line).slice(4)}`);
      if (text.startsWith("D ")) data.push(unescape(line.subarray(2)));
      else if (text.startsWith("INQUIRE ")) {
        const keyword = text.slice(8).split(" ")[0]!;
        const answer = inquiries[keyword];
        if (!answer) {
          await this.#write(new TextEncoder().encode("CAN\n"));
          continue;
        }
        await this.#write(dataLines(answer));
      }
      // Status (S …) and comment (#) lines carry nothing we need.
    }
  }

  async #write(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
  }

  async #readLine(): Promise<Uint8Array> {
    for (;;) {
      const end = this.#buffer.indexOf(0x0a);
      if (end >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 1);
        return line;
      }
      const chunk = new Uint8Array(4096);
      const n = await this.#conn.read(chunk);
      if (n === null) throw new AgentError("gpg-agent closed the connection");
      this.#buffer = concat([this.#buffer, chunk.subarray(0, n)]);
    }
  }
}

/** `D` lines for `bytes` (%, CR and LF escaped, lines under Assuan's 1000-byte limit), then END. */
function dataLines(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let lineLength = 0;
  for (const byte of bytes) {
    if (lineLength === 0) out.push(0x44, 0x20); // "D "
    if (byte === 0x25 || byte === 0x0d || byte === 0x0a) {
      const escaped = byte.toString(16).toUpperCase().padStart(2, "0");
      out.push(0x25, escaped.charCodeAt(0), escaped.charCodeAt(1));
      lineLength += 3;
    } else {
      out.push(byte);
      lineLength += 1;
    }
    if (lineLength >= 900) {
      out.push(0x0a);
      lineLength = 0;
    }
  }
  if (lineLength > 0) out.push(0x0a);
  out.push(...new TextEncoder().encode("END\n"));
  return new Uint8Array(out);
}

/** Undoes Assuan's %XX escaping of a data line. */
function unescape(line: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < line.length; i++) {
    if (line[i] === 0x25 && i + 2 < line.length) {
      out.push(parseInt(String.fromCharCode(line[i + 1]!, line[i + 2]!), 16));
      i += 2;
    } else out.push(line[i]!);
  }
  return new Uint8Array(out);
}

/** Parses one canonical S-expression (`(` `)` and `<length>:<bytes>` only). */
export function parseSexp(bytes: Uint8Array): Sexp {
  let at = 0;
  const parse = (): Sexp => {
    if (bytes[at] === 0x28) {
      at++;
      const list: Sexp[] = [];
      while (at < bytes.length && bytes[at] !== 0x29) list.push(parse());
      if (bytes[at] !== 0x29) throw new AgentError("unterminated S-expression");
      at++;
      return list;
    }
    let length = 0;
    let digits = 0;
    while (at < bytes.length && bytes[at]! >= 0x30 && bytes[at]! <= 0x39) {
      length = length * 10 + bytes[at++]! - 0x30;
      digits++;
    }
    if (!digits || bytes[at] !== 0x3a || at + 1 + length > bytes.length) {
      throw new AgentError("malformed S-expression");
    }
    at++;
    const value = bytes.subarray(at, at + length);
    at += length;
    return value;
  };
  return parse();
}

/** An S-expression to write: strings are written as their UTF-8 bytes. */
export type SexpInput = Uint8Array | string | SexpInput[];

/** Writes a canonical S-expression. */
export function writeSexp(value: SexpInput): Uint8Array {
  const parts: Uint8Array[] = [];
  const write = (node: SexpInput) => {
    if (typeof node === "string") node = new TextEncoder().encode(node);
    if (node instanceof Uint8Array) {
      parts.push(new TextEncoder().encode(`${node.length}:`), node);
      return;
    }
    parts.push(new Uint8Array([0x28]));
    for (const child of node) write(child);
    parts.push(new Uint8Array([0x29]));
  };
  write(value);
  return concat(parts);
}

function findValue(sexp: Sexp): Uint8Array | undefined {
  if (!Array.isArray(sexp)) return undefined;
  const [head, value] = sexp;
  if (
    head instanceof Uint8Array && new TextDecoder().decode(head) === "value" && value instanceof Uint8Array
  ) {
    return value;
  }
  for (const child of sexp) {
    const found = findValue(child);
    if (found) return found;
  }
  return undefined;
}
