/**
 * D-Bus server addresses: finding the session bus the way libdbus/GDBus do, and turning an address
 * string into something `Deno.connect` can reach.
 *
 * @module
 */

import type { EnvReader } from "../env.ts";

/** A place a client can connect to. */
export type BusEndpoint =
  | { transport: "unix"; path: string }
  | { transport: "tcp"; hostname: string; port: number };

/** The result of {@linkcode parseBusAddress}. */
export interface ParsedBusAddress {
  /** Endpoints we can connect to, in the order given. */
  endpoints: BusEndpoint[];
  /** Transports named in the address that we cannot use (e.g. "launchd", "autolaunch"). */
  unsupported: string[];
}

/**
 * Parses a D-Bus address list ("unix:path=/run/user/1000/bus;tcp:host=h,port=1"). Values are
 * percent-decoded; `unix:abstract` names become paths starting with NUL (Linux abstract sockets).
 */
export function parseBusAddress(address: string): ParsedBusAddress {
  const result: ParsedBusAddress = { endpoints: [], unsupported: [] };
  for (const entry of address.split(";")) {
    if (entry.trim() === "") continue;
    const colon = entry.indexOf(":");
    const transport = colon < 0 ? entry : entry.slice(0, colon);
    const params = new Map<string, string>();
    for (const pair of (colon < 0 ? "" : entry.slice(colon + 1)).split(",")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      params.set(pair.slice(0, eq), unescapeValue(pair.slice(eq + 1)));
    }
    const endpoint = toEndpoint(transport, params);
    if (endpoint) result.endpoints.push(endpoint);
    else result.unsupported.push(transport);
  }
  return result;
}

function toEndpoint(transport: string, params: Map<string, string>): BusEndpoint | undefined {
  if (transport === "unix") {
    const path = params.get("path");
    if (path) return { transport: "unix", path };
    const abstract = params.get("abstract");
    if (abstract) return { transport: "unix", path: `\0${abstract}` };
    return undefined;
  }
  if (transport === "tcp") {
    const port = Number(params.get("port"));
    if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
    return { transport: "tcp", hostname: params.get("host") ?? "localhost", port };
  }
  return undefined;
}

function unescapeValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Where the session bus address came from. */
export interface SessionBusAddress {
  /** The address string. */
  address: string;
  /** "DBUS_SESSION_BUS_ADDRESS", or the runtime-directory socket libdbus and GDBus also fall back to. */
  source: "env" | "runtime-dir";
}

/**
 * The session bus address: DBUS_SESSION_BUS_ADDRESS, else `$XDG_RUNTIME_DIR/bus` when that socket
 * exists (what libdbus and GDBus try next). Undefined when neither: then those libraries would try
 * X11 autolaunch, which hangs or fails on headless machines, so callers must not go on to use them.
 */
export function findSessionBus(
  env: EnvReader,
): SessionBusAddress | undefined {
  const fromEnv = env.get("DBUS_SESSION_BUS_ADDRESS");
  if (fromEnv && fromEnv.trim() !== "") return { address: fromEnv, source: "env" };
  const runtimeDir = env.get("XDG_RUNTIME_DIR");
  if (!runtimeDir) return undefined;
  const path = `${runtimeDir.replace(/\/+$/, "")}/bus`;
  try {
    if (!Deno.statSync(path).isSocket) return undefined;
  } catch {
    return undefined;
  }
  return { address: `unix:path=${path}`, source: "runtime-dir" };
}

/** A short, safe description of an endpoint for messages. */
export function describeEndpoint(endpoint: BusEndpoint): string {
  if (endpoint.transport === "tcp") return `tcp:${endpoint.hostname}:${endpoint.port}`;
  return endpoint.path.startsWith("\0")
    ? `unix:abstract=${endpoint.path.slice(1)}`
    : `unix:path=${endpoint.path}`;
}
