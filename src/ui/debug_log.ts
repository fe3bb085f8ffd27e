/**
 * The `--debug` log (`[debug] ...` lines on stderr) and helpers that mask secrets before anything
 * is logged: passwords, session tokens, cookies, SAML and AWS keys never appear in full.
 *
 * @module
 */

import { writeErr } from "./stderr.ts";

/**
 * Returns the debug sink: a no-op when disabled, else one `[debug] <line>` per line of text,
 * written to stderr (or handed to `write`, without the newline).
 */
export function createDebugLog(
  enabled: boolean,
  write: (line: string) => void = (line) => writeErr(`${line}\n`),
): (line: string) => void {
  if (!enabled) return () => {};
  return (text) => {
    for (const line of text.split("\n")) write(`[debug] ${line}`);
  };
}

const MASK = "****";

/**
 * Masks a secret for display, keeping its last `keep` characters (`****WXYZ`), as aws-vault's
 * FormatKeyForDisplay does. Values too short to hide most of are masked whole; "" stays "".
 */
export function redact(value: string, keep = 4): string {
  if (value === "") return "";
  if (keep <= 0 || value.length <= keep * 2) return MASK;
  return MASK + value.slice(-keep);
}

/** Field names (compared case-insensitively) whose values are masked whole. */
const SECRET_FIELDS = new Set(
  [
    "password",
    "passCode",
    "passphrase",
    "sessionToken",
    "stateToken",
    "token",
    "access_token",
    "id_token",
    "refresh_token",
    "device_secret",
    "device_code",
    "client_secret",
    "SAMLResponse",
    "SAMLAssertion",
    "SecretAccessKey",
    "SessionToken",
    "x-amz-security-token",
    "sid",
    "DT",
    "Cookie",
    "Set-Cookie",
    "Authorization",
  ].map((name) => name.toLowerCase()),
);

/** Field names whose values keep their last characters (useful to tell keys apart). */
const PARTIAL_FIELDS = new Set(["accesskeyid"]);

/**
 * Returns a deep copy of `value` with the values of known secret fields masked, in objects and
 * arrays at any depth (`Headers` become plain objects). Other values are copied as they are.
 */
export function redactFields<T>(value: T): T {
  return copy(value, new WeakSet()) as T;
}

function copy(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => copy(item, seen));
  const entries = value instanceof Headers
    ? [...value.entries()]
    : isPlain(value)
    ? Object.entries(value)
    : null;
  if (!entries) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of entries) out[key] = maskField(key, field, seen);
  return out;
}

function maskField(key: string, field: unknown, seen: WeakSet<object>): unknown {
  const name = key.toLowerCase();
  if (field === undefined || field === null || field === "") return field;
  if (SECRET_FIELDS.has(name)) return MASK;
  if (PARTIAL_FIELDS.has(name)) return typeof field === "string" ? redact(field) : MASK;
  return copy(field, seen);
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
