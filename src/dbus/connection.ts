/**
 * A small D-Bus client over `Deno.connect`: SASL EXTERNAL authentication, Hello, method calls with
 * timeouts. A client answers method calls sent to it with an error; the service role of the test
 * doubles (serving calls, owning a name) is in test_service.ts. Everything that can hang has a deadline,
 * so a bus that accepts connections but never answers fails fast instead of blocking the CLI.
 *
 * @module
 */

import { type BusEndpoint, describeEndpoint, parseBusAddress } from "./address.ts";
import {
  type DBusMessage,
  type DBusValue,
  decodeMessage,
  encodeMessage,
  messageLength,
  MessageType,
} from "./wire.ts";

/** A method call to send. */
export interface DBusCall {
  /** Bus name of the service. */
  destination: string;
  /** Object path. */
  path: string;
  /** Interface of the method. */
  interface: string;
  /** Method name. */
  member: string;
  /** Signature of `body` ("" or absent for none). */
  signature?: string;
  /** Arguments. */
  body?: DBusValue[];
}

/** The answer to a method call sent to us (see {@linkcode DBusConnection.answerCall}). */
export interface DBusReply {
  /** Signature of `body`. */
  signature: string;
  /** Return values. */
  body: DBusValue[];
}

/** The remote side answered a call with a D-Bus error. */
export class DBusError extends Error {
  /** The D-Bus error name, e.g. "org.freedesktop.DBus.Error.ServiceUnknown". */
  readonly errorName: string;

  constructor(errorName: string, message: string) {
    super(message);
    this.name = "DBusError";
    this.errorName = errorName;
  }
}

/** Why a connection could not be made or used. */
export type BusFailure = "timeout" | "unreachable" | "auth" | "closed" | "protocol";

/** The bus could not be reached, did not answer in time, or refused us. */
export class BusConnectionError extends Error {
  /** What went wrong. */
  readonly failure: BusFailure;

  constructor(failure: BusFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BusConnectionError";
    this.failure = failure;
  }
}

/** Options for {@linkcode connectBus}. */
export interface ConnectBusOptions {
  /** Deadline for connecting, authenticating and the Hello call, in milliseconds. */
  timeoutMs: number;
  /** Default deadline of each later call (25 s, like GDBus, unless given). */
  callTimeoutMs?: number;
}

/** The bus itself (org.freedesktop.DBus) as the target of a call. */
export const BUS = {
  destination: "org.freedesktop.DBus",
  path: "/org/freedesktop/DBus",
  interface: "org.freedesktop.DBus",
};

/**
 * Connects to the bus at `address` (the first endpoint that accepts), authenticates and says Hello,
 * all within `options.timeoutMs`. Throws {@linkcode BusConnectionError}.
 */
export function connectBus(address: string, options: ConnectBusOptions): Promise<DBusConnection> {
  return openBus(address, options, DBusConnection);
}

/** What {@linkcode openBus} builds on an authenticated socket: DBusConnection or a subclass. */
export type ConnectionClass<T extends DBusConnection> = new (
  ...args: ConstructorParameters<typeof DBusConnection>
) => T;

/** {@linkcode connectBus} building a `Connection` (test_service.ts builds its service connections so). */
export async function openBus<T extends DBusConnection>(
  address: string,
  options: ConnectBusOptions,
  Connection: ConnectionClass<T>,
): Promise<T> {
  const parsed = parseBusAddress(address);
  if (parsed.endpoints.length === 0) {
    const what = parsed.unsupported.length
      ? `unsupported transport "${parsed.unsupported[0]}"`
      : "no endpoint";
    throw new BusConnectionError("unreachable", `cannot use D-Bus address: ${what}`);
  }
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (const endpoint of parsed.endpoints) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      return await withDeadline(
        left,
        describeEndpoint(endpoint),
        (onTimeout) => open(endpoint, options, Connection, onTimeout),
      );
    } catch (error) {
      lastError = error;
      if (error instanceof BusConnectionError && error.failure !== "unreachable") throw error;
    }
  }
  if (lastError instanceof BusConnectionError) throw lastError;
  throw new BusConnectionError(
    "timeout",
    `D-Bus at "${address}" did not answer within ${options.timeoutMs} ms`,
  );
}

/**
 * Calls `onTimeout` after `ms` unless cancelled. AbortSignal.timeout rather than setTimeout: the
 * first setTimeout of a Deno process costs several milliseconds, and this runs on every cache hit
 * of a D-Bus backend. Its timer does not keep the process alive; pending socket I/O does.
 */
function deadline(ms: number, onTimeout: () => void): () => void {
  const signal = AbortSignal.timeout(ms);
  signal.addEventListener("abort", onTimeout, { once: true });
  return () => signal.removeEventListener("abort", onTimeout);
}

/** Runs `fn`, failing with a timeout error after `ms`; `fn` registers how to abort its I/O. */
async function withDeadline<T>(
  ms: number,
  where: string,
  fn: (onTimeout: (abort: () => void) => void) => Promise<T>,
): Promise<T> {
  let abort: (() => void) | undefined;
  let cancel: (() => void) | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    cancel = deadline(ms, () => {
      timedOut = true;
      abort?.();
      reject(new BusConnectionError("timeout", `D-Bus at "${where}" did not answer within ${ms} ms`));
    });
  });
  const work = fn((a) => (abort = a));
  // Once timed out, the aborted work rejects too; that rejection is expected and not reported.
  work.catch(() => {});
  try {
    return await Promise.race([work, timeout]);
  } catch (error) {
    if (timedOut && !(error instanceof BusConnectionError && error.failure === "timeout")) {
      throw new BusConnectionError("timeout", `D-Bus at "${where}" did not answer within ${ms} ms`);
    }
    throw error;
  } finally {
    cancel?.();
  }
}

async function open<T extends DBusConnection>(
  endpoint: BusEndpoint,
  options: ConnectBusOptions,
  Connection: ConnectionClass<T>,
  onTimeout: (abort: () => void) => void,
): Promise<T> {
  const where = describeEndpoint(endpoint);
  let conn: Deno.Conn;
  try {
    conn = endpoint.transport === "unix"
      ? await Deno.connect({ transport: "unix", path: endpoint.path })
      : await Deno.connect({ hostname: endpoint.hostname, port: endpoint.port });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new BusConnectionError("unreachable", `cannot connect to D-Bus at "${where}": ${detail}`, {
      cause: error,
    });
  }
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // Already closed by the other side.
    }
  };
  onTimeout(close);
  try {
    // AUTH, BEGIN and Hello go out in one write (as sd-bus pipelines them): one round trip fewer
    // on every connection, which the cache hit of a D-Bus backend pays.
    const hello = encodeMessage({
      type: MessageType.METHOD_CALL,
      flags: 0,
      serial: 1,
      ...BUS,
      member: "Hello",
      signature: "",
      body: [],
    });
    const leftover = await authenticate(conn, where, hello);
    const connection = new Connection(conn, leftover, options.callTimeoutMs ?? 25_000, close, 1);
    const [name] = await connection.reply(1, "org.freedesktop.DBus.Hello");
    connection.uniqueName = String(name);
    return connection;
  } catch (error) {
    close();
    if (error instanceof BusConnectionError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new BusConnectionError("protocol", `D-Bus at "${where}" failed: ${detail}`, { cause: error });
  }
}

/**
 * SASL EXTERNAL with our uid, then BEGIN and `first` (the Hello message) without waiting for the
 * server's "OK"; returns any bytes read past that line.
 */
async function authenticate(conn: Deno.Conn, where: string, first: Uint8Array): Promise<Uint8Array> {
  const uid = Deno.build.os === "windows" ? null : Deno.uid();
  const identity = uid === null ? "" : ` ${hex(new TextEncoder().encode(String(uid)))}`;
  await writeAll(conn, concat(new TextEncoder().encode(`\0AUTH EXTERNAL${identity}\r\nBEGIN\r\n`), first));
  const { line, rest } = await readLine(conn, where);
  if (!line.startsWith("OK ")) {
    throw new BusConnectionError("auth", `D-Bus at "${where}" refused authentication: ${line.slice(0, 80)}`);
  }
  return rest;
}

async function readLine(conn: Deno.Conn, where: string): Promise<{ line: string; rest: Uint8Array }> {
  let data: Uint8Array = new Uint8Array(0);
  const chunk = new Uint8Array(512);
  for (;;) {
    const end = findCrLf(data);
    if (end >= 0) {
      return { line: new TextDecoder().decode(data.subarray(0, end)), rest: data.slice(end + 2) };
    }
    if (data.length > 4096) throw new BusConnectionError("auth", `D-Bus at "${where}" sent an overlong line`);
    const n = await conn.read(chunk);
    if (n === null) throw new BusConnectionError("closed", `D-Bus at "${where}" closed the connection`);
    data = concat(data, chunk.subarray(0, n));
  }
}

function findCrLf(data: Uint8Array): number {
  for (let i = 0; i + 1 < data.length; i++) {
    if (data[i] === 13 && data[i + 1] === 10) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
}

interface Pending {
  resolve: (body: DBusValue[]) => void;
  reject: (error: Error) => void;
  cancelTimeout: () => void;
}

/** An authenticated connection to a bus. Create with {@linkcode connectBus}; `close()` when done. */
export class DBusConnection {
  /** Our unique bus name (":1.42"), set after Hello. */
  uniqueName = "";
  readonly #conn: Deno.Conn;
  readonly #callTimeoutMs: number;
  readonly #close: () => void;
  readonly #pending = new Map<number, Pending>();
  #buffer: Uint8Array;
  #serial = 0;
  #writing: Promise<void> = Promise.resolve();
  #failure: BusConnectionError | undefined;

  /** Use {@linkcode connectBus}. */
  constructor(conn: Deno.Conn, leftover: Uint8Array, callTimeoutMs: number, close: () => void, sent = 0) {
    this.#conn = conn;
    this.#buffer = leftover;
    this.#serial = sent;
    this.#callTimeoutMs = callTimeoutMs;
    this.#close = close;
    // Started after the constructor returns, so that a reply already in `leftover` (Hello's) finds
    // its pending call registered.
    queueMicrotask(() => this.#pump());
    this.#refWhileBusy();
  }

  /** Calls a method and returns its reply values; throws {@linkcode DBusError} for an error reply. */
  call(call: DBusCall, options: { timeoutMs?: number } = {}): Promise<DBusValue[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const serial = ++this.#serial;
    const message: DBusMessage = {
      type: MessageType.METHOD_CALL,
      flags: 0,
      serial,
      destination: call.destination,
      path: call.path,
      interface: call.interface,
      member: call.member,
      signature: call.signature ?? "",
      body: call.body ?? [],
    };
    const bytes = encodeMessage(message);
    const reply = this.reply(serial, `${call.interface}.${call.member}`, options.timeoutMs);
    this.#send(bytes).catch((error) => this.#fail(error));
    return reply;
  }

  /** The reply to the call with `serial`, already sent (Hello, written with the authentication). */
  reply(serial: number, what: string, timeoutMs = this.#callTimeoutMs): Promise<DBusValue[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<DBusValue[]>((resolve, reject) => {
      const cancelTimeout = deadline(timeoutMs, () => {
        this.#pending.delete(serial);
        this.#refWhileBusy();
        reject(new BusConnectionError("timeout", `D-Bus call "${what}" got no answer in ${timeoutMs} ms`));
      });
      this.#pending.set(serial, { resolve, reject, cancelTimeout });
      this.#refWhileBusy();
    });
  }

  /** An idle connection must not keep the process alive; one awaiting replies must. */
  #refWhileBusy(): void {
    if (this.#failure) return;
    if (this.#pending.size > 0) this.#conn.ref();
    else this.#conn.unref();
  }

  /**
   * The answer to a method call another connection sent us. A client serves nothing: this one
   * throws UnknownMethod, sent back as an error reply; the test doubles' subclass answers.
   */
  protected answerCall(_call: DBusMessage): DBusReply | Promise<DBusReply> {
    throw new DBusError("org.freedesktop.DBus.Error.UnknownMethod", "no handler");
  }

  /** Whether some connection owns `name` right now. */
  async nameHasOwner(name: string): Promise<boolean> {
    const [owned] = await this.call({ ...BUS, member: "NameHasOwner", signature: "s", body: [name] });
    return owned === true;
  }

  /** The names the bus can start on demand (from its .service files). */
  async listActivatableNames(): Promise<string[]> {
    const [names] = await this.call({ ...BUS, member: "ListActivatableNames" });
    return Array.isArray(names) ? names.map(String) : [];
  }

  /** Closes the connection; pending calls fail. */
  close(): void {
    this.#fail(new BusConnectionError("closed", "D-Bus connection closed"));
  }

  #send(bytes: Uint8Array): Promise<void> {
    const next = this.#writing.then(() => writeAll(this.#conn, bytes));
    this.#writing = next.catch(() => {});
    return next;
  }

  async #pump(): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        this.#drain();
        if (this.#failure) return;
        const n = await this.#conn.read(chunk);
        if (n === null) throw new BusConnectionError("closed", "D-Bus closed the connection");
        this.#buffer = concat(this.#buffer, chunk.subarray(0, n));
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Dispatches every complete message in the buffer. */
  #drain(): void {
    for (;;) {
      const length = messageLength(this.#buffer);
      if (length === undefined || this.#buffer.length < length) return;
      const message = decodeMessage(this.#buffer.subarray(0, length));
      this.#buffer = this.#buffer.slice(length);
      this.#dispatch(message);
    }
  }

  #dispatch(message: DBusMessage): void {
    if (message.type === MessageType.METHOD_RETURN || message.type === MessageType.ERROR) {
      const pending = message.replySerial === undefined ? undefined : this.#pending.get(message.replySerial);
      if (!pending) return;
      this.#pending.delete(message.replySerial!);
      pending.cancelTimeout();
      this.#refWhileBusy();
      if (message.type === MessageType.METHOD_RETURN) pending.resolve(message.body);
      else {
        const text = typeof message.body[0] === "string" ? message.body[0] : "";
        pending.reject(new DBusError(message.errorName ?? "org.freedesktop.DBus.Error.Failed", text));
      }
      return;
    }
    if (message.type === MessageType.METHOD_CALL) this.#answer(message);
  }

  async #answer(call: DBusMessage): Promise<void> {
    const noReply = (call.flags & 1) !== 0;
    let reply: DBusMessage;
    try {
      const result = await this.answerCall(call);
      reply = { type: MessageType.METHOD_RETURN, flags: 1, serial: 0, ...result };
    } catch (error) {
      const name = error instanceof DBusError ? error.errorName : "org.freedesktop.DBus.Error.Failed";
      const text = error instanceof Error ? error.message : String(error);
      reply = { type: MessageType.ERROR, flags: 1, serial: 0, errorName: name, signature: "s", body: [text] };
    }
    if (noReply || this.#failure) return;
    reply.serial = ++this.#serial;
    reply.replySerial = call.serial;
    if (call.sender !== undefined) reply.destination = call.sender;
    await this.#send(encodeMessage(reply)).catch((error) => this.#fail(error));
  }

  #fail(error: unknown): void {
    if (this.#failure) return;
    this.#failure = error instanceof BusConnectionError ? error : new BusConnectionError(
      "closed",
      `D-Bus connection failed: ${error instanceof Error ? error.message : error}`,
      {
        cause: error,
      },
    );
    for (const pending of this.#pending.values()) {
      pending.cancelTimeout();
      pending.reject(this.#failure);
    }
    this.#pending.clear();
    this.#close();
  }
}
