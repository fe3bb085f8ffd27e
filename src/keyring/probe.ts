/**
 * Cheap availability checks for each keyring backend, used to pick one when none is chosen and to
 * list them (`aws-okta backends`). Nothing here loads FFI code: OS backends are judged by the OS,
 * D-Bus backends by asking the session bus (with a deadline) whether their service is there, and
 * pass by its command and store.
 *
 * @module
 */

import { BusConnectionError, connectBus } from "./dbus_connection.ts";
import { findSessionBus } from "./dbus_address.ts";
import { fileDir } from "./select.ts";

/** Backend names in aws-okta's order of preference (99designs/keyring's). */
export const BACKEND_ORDER = ["wincred", "keychain", "secret-service", "kwallet", "pass", "file"] as const;

/** A backend name the CLI accepts. */
export type BackendName = typeof BACKEND_ORDER[number];

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
  /** True when org.freedesktop.secrets is owned or activatable. */
  secretService: boolean;
  /** The KWallet daemon's bus name ("org.kde.kwalletd6" or "org.kde.kwalletd5"), when there is one. */
  kwallet?: string;
}

/** What the probes need to know. */
export interface ProbeOptions {
  /** The user's home directory. */
  home: string;
  /** Environment variables. */
  env: { get(name: string): string | undefined };
  /** The OS (tests pretend to be another one). */
  os?: typeof Deno.build.os;
}

/** Default deadline for the session bus to answer; AWS_OKTA_DBUS_TIMEOUT_MS overrides it. */
export const DBUS_PROBE_TIMEOUT_MS = 3000;

const SECRETS_NAME = "org.freedesktop.secrets";
const KWALLET_NAMES = ["org.kde.kwalletd6", "org.kde.kwalletd5"];
const FILE_HINT = "use --backend file (or AWS_OKTA_BACKEND=file)";

type BusProbe =
  | { state: "ok"; services: BusServices }
  | { state: "missing" | "hung" | "failed"; detail: string };

/** Probes backends, sharing one session-bus check between the D-Bus backends. */
export class BackendProber {
  readonly #options: ProbeOptions;
  #bus: Promise<BusProbe> | undefined;

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
          ? { name, usable: true, detail: `Windows Credential Manager (targets "keyring:aws-okta-login:*")` }
          : { name, usable: false, detail: "Windows only" };
      case "keychain":
        return os === "darwin"
          ? { name, usable: true, detail: `macOS Keychain (service "aws-okta-login")` }
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

  /** Every backend's status, in {@linkcode BACKEND_ORDER}. */
  all(): Promise<BackendStatus[]> {
    return Promise.all(BACKEND_ORDER.map((name) => this.probe(name)));
  }

  /** The session bus services (for opening a D-Bus backend); undefined unless the bus answered. */
  async busServices(): Promise<BusServices | undefined> {
    const bus = await this.#probeBus();
    return bus.state === "ok" ? bus.services : undefined;
  }

  async #probeBusService(name: "secret-service" | "kwallet", os: string): Promise<BackendStatus> {
    if (os === "windows" || os === "darwin") return { name, usable: false, detail: "Linux and BSD only" };
    const bus = await this.#probeBus();
    if (bus.state !== "ok") {
      const status: BackendStatus = { name, usable: false, detail: bus.detail, hint: FILE_HINT };
      if (bus.state === "hung") status.hung = true;
      return status;
    }
    if (name === "secret-service") {
      return bus.services.secretService
        ? { name, usable: true, detail: `Secret Service on ${bus.services.address}` }
        : {
          name,
          usable: false,
          detail: "no Secret Service (org.freedesktop.secrets) on the session bus",
          hint: `start gnome-keyring or KeePassXC, or ${FILE_HINT}`,
        };
    }
    return bus.services.kwallet
      ? { name, usable: true, detail: `KWallet (${bus.services.kwallet}) on ${bus.services.address}` }
      : { name, usable: false, detail: "no KWallet daemon on the session bus", hint: FILE_HINT };
  }

  #probeBus(): Promise<BusProbe> {
    this.#bus ??= probeSessionBus(this.#options);
    return this.#bus;
  }
}

async function probeSessionBus(options: ProbeOptions): Promise<BusProbe> {
  const found = findSessionBus(options.env);
  if (!found) {
    return { state: "missing", detail: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)" };
  }
  const timeoutMs = probeTimeoutMs(options.env);
  const where = `D-Bus session bus "${found.address}"`;
  try {
    const conn = await connectBus(found.address, { timeoutMs, callTimeoutMs: timeoutMs });
    try {
      const owned = await Promise.all(
        [SECRETS_NAME, ...KWALLET_NAMES].map((name) => conn.nameHasOwner(name)),
      );
      // Activatable names start on first use (how desktop sessions usually provide both services).
      const activatable = owned.every(Boolean) ? [] : await conn.listActivatableNames();
      const has = (name: string, i: number) => owned[i] === true || activatable.includes(name);
      const services: BusServices = { address: found.address, secretService: has(SECRETS_NAME, 0) };
      const kwallet = KWALLET_NAMES.find((name, i) => has(name, i + 1));
      if (kwallet) services.kwallet = kwallet;
      return { state: "ok", services };
    } finally {
      conn.close();
    }
  } catch (error) {
    if (error instanceof BusConnectionError && error.failure === "timeout") {
      return { state: "hung", detail: `${where} did not answer within ${timeoutMs} ms` };
    }
    if (error instanceof BusConnectionError && error.failure === "unreachable") {
      return { state: "missing", detail: `${where} is not reachable` };
    }
    const detail = error instanceof Error ? error.message : String(error);
    return { state: "failed", detail: `${where} failed: ${detail}` };
  }
}

/** AWS_OKTA_DBUS_TIMEOUT_MS when it is a positive integer, else {@linkcode DBUS_PROBE_TIMEOUT_MS}. */
export function probeTimeoutMs(env: ProbeOptions["env"]): number {
  const value = Number(env.get("AWS_OKTA_DBUS_TIMEOUT_MS"));
  return Number.isSafeInteger(value) && value > 0 ? value : DBUS_PROBE_TIMEOUT_MS;
}

/** PASSWORD_STORE_DIR, else `<home>/.password-store` (as `pass` itself). */
export function passStoreDir(options: Pick<ProbeOptions, "home" | "env">): string {
  return options.env.get("PASSWORD_STORE_DIR") || `${options.home.replace(/\/+$/, "")}/.password-store`;
}

function probePass(options: ProbeOptions, os: string): BackendStatus {
  if (os === "windows") return { name: "pass", usable: false, detail: "not available on Windows" };
  if (!findCommand("pass", options.env)) {
    return { name: "pass", usable: false, detail: `no "pass" command on PATH`, hint: "install pass" };
  }
  const dir = passStoreDir(options);
  try {
    Deno.statSync(`${dir}/.gpg-id`);
  } catch {
    return {
      name: "pass",
      usable: false,
      detail: `no password store in "${dir}"`,
      hint: `run "pass init <gpg-id>" or set PASSWORD_STORE_DIR`,
    };
  }
  return { name: "pass", usable: true, detail: `password store "${dir}"` };
}

/** The first executable `command` on PATH, or undefined. */
export function findCommand(command: string, env: ProbeOptions["env"]): string | undefined {
  for (const dir of (env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    const path = `${dir}/${command}`;
    try {
      const info = Deno.statSync(path);
      if (info.isFile && (info.mode === null || (info.mode & 0o111) !== 0)) return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
