/**
 * Which proxy Deno's fetch will use for a URL, read from the same variables Deno reads
 * (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, upper or lower case). Deno applies the proxy
 * itself; this is only so that a failure can say "the proxy refused" rather than blame the host.
 *
 * @module
 */

/** Reads an environment variable (undefined when unset). */
export type EnvLookup = (name: string) => string | undefined;

/**
 * The proxy's `host:port` for `url`, or undefined when the request goes direct. Never returns the
 * proxy's user name or password (they may be in the variable).
 */
export function proxyFor(url: URL, env: EnvLookup): string | undefined {
  const read = (name: string) => nonEmpty(env(name)) ?? nonEmpty(env(name.toLowerCase()));
  const proxy = url.protocol === "https:"
    ? read("HTTPS_PROXY") ?? read("ALL_PROXY")
    : url.protocol === "http:"
    ? read("HTTP_PROXY") ?? read("ALL_PROXY")
    : undefined;
  if (proxy === undefined || bypassed(url, read("NO_PROXY"))) return undefined;
  try {
    return new URL(proxy.includes("://") ? proxy : `http://${proxy}`).host || undefined;
  } catch {
    return undefined;
  }
}

/** NO_PROXY: "*", or a comma/space separated list of hosts, ".suffix"es and host:port pairs. */
function bypassed(url: URL, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const [name = "", port] = entry.startsWith("[")
      ? [entry.slice(1, entry.indexOf("]")), undefined]
      : entry.split(":");
    if (port !== undefined && port !== (url.port || (url.protocol === "https:" ? "443" : "80"))) continue;
    const bare = name.replace(/^\*?\./, "");
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
