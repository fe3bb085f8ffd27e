/**
 * okta-aws-cli's `.env` file, read as it reads it (viper's dotenv support, which parses with
 * subosito/gotenv v1.4): `./.env` in the current directory only; its values stand behind the
 * environment (flag > environment > .env > default); an AWS_REGION in it is put into the process
 * environment when that has none; a file that does not parse is ignored as a whole.
 *
 * The line syntax is gotenv's: `KEY=value` or `KEY: value`, an optional `export `, `#` comments,
 * single quotes (literal), double quotes (`\n`, `\r` and backslash escapes, may span lines) and
 * `$VAR`/`${VAR}` expansion outside single quotes (from the environment, else earlier keys).
 *
 * @module
 */

import type { EnvReader } from "../env.ts";

// gotenv's pattern; its `\'` and `\"` are plain quotes in Go's syntax, so a quoted value runs to the last quote.
const LINE =
  /^\s*(?:export\s+)?([\w.]+)(?:\s*=\s*|:\s+?)('(?:'|[^'])*'|"(?:"|[^"])*"|[^#\n]+)?\s*(?:\s*#.*)?$/;
const VARIABLE = /(\\)?(\$)(\{?([A-Z0-9_]+)?\}?)/g;
const VARIABLE_NAME = /(\$)(\{?([A-Z0-9_]+)\}?)/;

/**
 * Parses a `.env` text into key → value (keys as written); throws a plain Error where gotenv's
 * strict parser fails (an unclosed quote, a line that is not an assignment).
 */
export function parseDotEnv(text: string, env: EnvReader): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\ufeff/, "").split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    let quote = openQuote(line);
    while (quote && i + 1 < lines.length) {
      const next = lines[++i]!;
      line += `\n${next}`;
      const at = next.lastIndexOf(quote);
      if (at > 0 && next[at - 1] === "\\") continue;
      if (at >= 0) quote = "";
    }
    if (quote) throw new Error("missing quotes");
    parseLine(line, out, env);
  }
  return out;
}

/** The quote a value opens and does not close on its first line, if any (gotenv's test). */
function openQuote(line: string): string {
  let idx = line.indexOf("=");
  if (idx === -1) idx = line.indexOf(":");
  if (idx <= 0 || idx >= line.length - 1) return "";
  const value = line.slice(idx + 1).trim();
  const first = value[0];
  if (first !== '"' && first !== "'") return "";
  const close = value.slice(1).trim().lastIndexOf(first);
  // gotenv compares against the untrimmed value at that index, quirks included.
  return close >= 0 && value[close] !== "\\" ? "" : first;
}

function parseLine(line: string, out: Record<string, string>, env: EnvReader): void {
  const match = LINE.exec(line);
  if (!match) {
    if (line.startsWith("export")) {
      const name = line.split(" ", 2)[1];
      if (name !== undefined && !Object.hasOwn(out, name)) {
        throw new Error(`line "${line}" has an unset variable`);
      }
      return;
    }
    throw new Error(`line "${line}" doesn't match format`);
  }
  const key = match[1]!.trim();
  let value = (match[2] ?? "").trim();
  let single = false;
  let double = false;
  if (value.length >= 2) {
    const last = value.length - 1;
    double = value[0] === '"' && value[last] === '"';
    single = value[0] === "'" && value[last] === "'";
    if (single || double) value = value.slice(1, last);
  }
  if (double) {
    value = value.replaceAll("\\n", "\n").replaceAll("\\r", "\r").replace(/\\([^$])/g, "$1");
  }
  if (!single) {
    value = value.replace(VARIABLE, (whole) => {
      if (whole.startsWith("\\")) return whole.slice(1);
      const name = VARIABLE_NAME.exec(whole)?.[3];
      if (name === undefined) return whole;
      return env.get(name) ?? out[name] ?? "";
    });
  }
  out[key] = value;
}

/**
 * The environment with `<dir>/.env` behind it, as okta-aws-cli sees its settings: names are
 * matched case-insensitively in the file (viper lowercases them). Puts the file's AWS_REGION into
 * the process environment when that has none. A missing or unparsable file changes nothing.
 */
export async function withDotEnv<T extends EnvReader>(env: T, dir: string): Promise<T> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/.env`);
  } catch {
    return env;
  }
  let values: Record<string, string>;
  try {
    values = parseDotEnv(text, env);
  } catch {
    return env;
  }
  const lower = new Map<string, string>();
  for (const [key, value] of Object.entries(values)) lower.set(key.toLowerCase(), value);
  const region = lower.get("aws_region");
  if (region && !env.get("AWS_REGION")) Deno.env.set("AWS_REGION", region);
  return {
    ...env,
    // viper takes an empty variable as unset, so the file's value shows through it.
    get: (name: string) => env.get(name) || lower.get(name.toLowerCase()) || env.get(name),
  };
}
