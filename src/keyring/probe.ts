/**
 * Cheap availability checks for each keyring backend, used to pick one when none is chosen and to
 * list them (`aws-okta backends`). Nothing here loads FFI code: OS backends are judged by the OS,
 * D-Bus backends by asking the session bus (with a deadline) whether their service is there, and
 * pass by its command and store.
 *
 * @module
 */

import type { DBusConnection } from "../dbus/connection.ts";
import { findSessionBus } from "../dbus/address.ts";
import { SERVICE_NAME } from "./keyring.ts";
import { type BackendName, BACKENDS, fileDir, passStoreStatus } from "./select.ts";
import { findProgram } from "../fs/find_program.ts";
import type { EnvReader } from "../env.ts";

export type { BackendName } from "./select.ts";

/** Whether a backend can be used here, and why (not). */
export interface BackendStatus {
  /** The backend. */
  name: BackendName;
  /** True when the backend should work here. */
  usable: boolean;
  /** One line for people: where the items live, or what is missing. */
  detail: string;
  /** What to do when it is not usable. */
  hint?: string;
  /**
   * The session bus accepted a connection but did not answer in time. Selection stops here with an
   * error instead of silently moving on, so the user learns why every call is slow.
   */
  hung?: boolean;
}

/** Where the D-Bus backends found their service (passed on to the backend that opens it). */
export interface BusServices {
  /** The session bus address. */
  address: string;
  /** The KWallet daemon's bus name ("org.kde.kwalletd6" or "org.kde.kwalletd5"), when there is one. */
  kwallet?: string;
}

/** What the probes need to know. */
export interface ProbeOptions {
  /** The user's home directory. */
  home: string;
  /** Environment variables. */
  env: EnvReader;
  /** The OS (tests pretend to be another one). */
  os?: typeof Deno.build.os;
}

/** Default deadline for the session bus to answer; AWS_OKTA_DBUS_TIMEOUT_MS overrides it. */
export const DBUS_PROBE_TIMEOUT_MS = 3000;

const SECRETS_NAME = "org.freedesktop.secrets";
const KWALLET_NAMES = ["org.kde.kwalletd6", "org.kde.kwalletd5"];
const FILE_HINT = "use --backend file (or AWS_OKTA_BACKEND=file)";

/** The session bus as far as the probes got: connected, or why not. */
type BusState =
  | { state: "ok"; address: string; conn: DBusConnection }
  | { state: "missing" | "hung" | "failed"; detail: string };

/** Which service names a D-Bus backend answers to, in order of preference. */
const SERVICE_NAMES = { "secret-service": [SECRETS_NAME], kwallet: KWALLET_NAMES } as const;

/**
 * Probes backends. The D-Bus backends share one connection to the session bus, made on first need
 * and asked only about the names they need; `close()` the prober when done.
 */
export class BackendProber {
  readonly #options: ProbeOptions;
  #bus: Promise<BusState> | undefined;
  #activatable: Promise<string[]> | undefined;
  #taken = false;
  readonly #found = new Map<string, Promise<string | undefined>>();

  constructor(options: ProbeOptions) {
    this.#options = options;
  }

  /** The status of one backend. */
  probe(name: BackendName): Promise<BackendStatus> {
    return Promise.resolve(this.#status(name));
  }

  #status(name: BackendName): BackendStatus | Promise<BackendStatus> {
    const os = this.#options.os ?? Deno.build.os;
    switch (name) {
      case "wincred":
        return os === "windows"
          ? { name, usable: true, detail: `Windows Credential Manager (targets "keyring:${SERVICE_NAME}:*")` }
          : { name, usable: false, detail: "Windows only" };
      case "keychain":
        return os === "darwin"
          ? { name, usable: true, detail: `macOS Keychain (service "${SERVICE_NAME}")` }
          : { name, usable: false, detail: "macOS only" };
      case "secret-service":
        return this.#probeBusService(name, os);
      case "kwallet":
        if (this.#options.env.get("DISABLE_KWALLET") === "1") {
          return { name, usable: false, detail: "disabled by DISABLE_KWALLET=1" };
        }
        return this.#probeBusService(name, os);
      case "pass":
        return probePass(this.#options, os);
      case "file":
        return { name, usable: true, detail: `encrypted files in "${fileDir(this.#options)}"` };
    }
  }

  /** Every backend's status, in {@linkcode BACKENDS} order. */
  async all(): Promise<BackendStatus[]> {
    const statuses: BackendStatus[] = [];
    for (const name of BACKENDS) statuses.push(await this.probe(name));
    return statuses;
  }

  /** The session bus services (for opening a D-Bus backend); undefined unless the bus answered. */
  async busServices(): Promise<BusServices | undefined> {
    const bus = await this.#connect();
    if (bus.state !== "ok") return undefined;
    const services: BusServices = { address: bus.address };
    const kwallet = await this.#serviceName("kwallet");
    if (kwallet) services.kwallet = kwallet;
    return services;
  }

  /**
   * Hands the session bus connection over to a backend (so that a cache hit connects once);
   * `close()` then leaves it open. Undefined unless the bus answered.
   */
  async takeConnection(): Promise<DBusConnection | undefined> {
    const bus = await this.#connect();
    if (bus.state !== "ok") return undefined;
    this.#taken = true;
    return bus.conn;
  }

  /** Closes the session bus connection, if one was made and not taken. */
  async close(): Promise<void> {
    const bus = await this.#bus;
    if (bus?.state === "ok" && !this.#taken) bus.conn.close();
  }

  async #probeBusService(name: "secret-service" | "kwallet", os: string): Promise<BackendStatus> {
    if (os === "windows" || os === "darwin") return { name, usable: false, detail: "Linux and BSD only" };
    const bus = await this.#connect();
    let found: string | undefined;
    let failure = bus.state === "ok" ? undefined : bus;
    if (bus.state === "ok") {
      try {
        found = await this.#serviceName(name);
      } catch (error) {
        failure = busFailure(bus.address, probeTimeoutMs(this.#options.env), error);
      }
    }
    if (failure) {
      const status: BackendStatus = { name, usable: false, detail: failure.detail, hint: FILE_HINT };
      if (failure.state === "hung") status.hung = true;
      return status;
    }
    const address = (bus as { address: string }).address;
    if (name === "secret-service") {
      return found ? { name, usable: true, detail: `Secret Service on ${address}` } : {
        name,
        usable: false,
        detail: "no Secret Service (org.freedesktop.secrets) on the session bus",
        hint: `start gnome-keyring or KeePassXC, or ${FILE_HINT}`,
      };
    }
    return found
      ? { name, usable: true, detail: `KWallet (${found}) on ${address}` }
      : { name, usable: false, detail: "no KWallet daemon on the session bus", hint: FILE_HINT };
  }

  /** The first of the backend's bus names that is owned, else the first activatable one. */
  #serviceName(backend: keyof typeof SERVICE_NAMES): Promise<string | undefined> {
    let found = this.#found.get(backend);
    if (!found) {
      found = (async () => {
        const bus = await this.#connect();
        if (bus.state !== "ok") return undefined;
        const names = SERVICE_NAMES[backend];
        for (const name of names) {
          if (await bus.conn.nameHasOwner(name)) return name;
        }
        // Desktop sessions usually start keyring daemons on first use, through activation.
        this.#activatable ??= bus.conn.listActivatableNames();
        const activatable = await this.#activatable;
        return names.find((name) => activatable.includes(name));
      })();
      this.#found.set(backend, found);
    }
    return found;
  }

  #connect(): Promise<BusState> {
    this.#bus ??= connectSessionBus(this.#options);
    return this.#bus;
  }
}

async function connectSessionBus(options: ProbeOptions): Promise<BusState> {
  const found = findSessionBus(options.env);
  if (!found) {
    return { state: "missing", detail: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)" };
  }
  const timeoutMs = probeTimeoutMs(options.env);
  // Loaded only when there is a bus to talk to.
  const { connectBus } = await import("../dbus/connection.ts");
  try {
    const conn = await connectBus(found.address, { timeoutMs, callTimeoutMs: timeoutMs });
    return { state: "ok", address: found.address, conn };
  } catch (error) {
    return busFailure(found.address, timeoutMs, error);
  }
}

function busFailure(
  address: string,
  timeoutMs: number,
  error: unknown,
): { state: "missing" | "hung" | "failed"; detail: string } {
  const where = `D-Bus session bus "${address}"`;
  const failure = error instanceof Error && "failure" in error ? error.failure : undefined;
  if (failure === "timeout") {
    return { state: "hung", detail: `${where} did not answer within ${timeoutMs} ms` };
  }
  if (failure === "unreachable") return { state: "missing", detail: `${where} is not reachable` };
  const detail = error instanceof Error ? error.message : String(error);
  return { state: "failed", detail: `${where} failed: ${detail}` };
}

/** AWS_OKTA_DBUS_TIMEOUT_MS when it is a positive integer, else {@linkcode DBUS_PROBE_TIMEOUT_MS}. */
export function probeTimeoutMs(env: ProbeOptions["env"]): number {
  const value = Number(env.get("AWS_OKTA_DBUS_TIMEOUT_MS"));
  return Number.isSafeInteger(value) && value > 0 ? value : DBUS_PROBE_TIMEOUT_MS;
}

function probePass(options: ProbeOptions, os: string): BackendStatus {
  if (os !== "windows" && !findProgram("pass", options.env)) {
    return { name: "pass", usable: false, detail: `no "pass" command on PATH`, hint: "install pass" };
  }
  return passStoreStatus(options, os);
}
