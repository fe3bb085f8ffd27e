/**
 * Go-style durations ("1h", "90m", "1h30m", "1.5h", "3600s"), as aws-okta's config keys
 * (`session_ttl`, `assume_role_ttl`) and flags (`--session-ttl`) always used them.
 *
 * Whole seconds are the unit everywhere in this project (STS counts seconds), so parsing rounds
 * down to a second and refuses anything that is not zero but shorter than one second: "500ms" is
 * almost certainly a typo for a TTL and would only fail later, at STS, with a worse message.
 *
 * @module
 */

import { AppError, type AppErrorOptions } from "../errors.ts";

/** A duration that cannot be parsed. Callers choose the exit code (flags use 2, config 1). */
export class DurationError extends AppError {
  /** The text that failed to parse. */
  readonly text: string;
  /** What is wrong with it, e.g. "must be at least 1s" (the message without the value). */
  readonly detail: string;

  constructor(text: string, detail: string, options: AppErrorOptions = {}) {
    super(`invalid duration "${text}": ${detail}`, options);
    this.name = "DurationError";
    this.text = text;
    this.detail = detail;
  }
}

const NS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n, // micro sign, as Go accepts
  "\u03bcs": 1_000n, // Greek mu, as Go accepts
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const NS_PER_SECOND = 1_000_000_000n;
// Go's time.Duration is an int64 of nanoseconds; larger values are an error there too.
const MAX_NS = (1n << 63n) - 1n;
const PLAIN_SECONDS = /^[0-9]+$/;
const COMPONENT = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;

function invalid(text: string): DurationError {
  return new DurationError(text, "use a number with a unit, e.g. 1h, 90m or 3600s");
}

/**
 * Parses a duration in Go's `time.ParseDuration` syntax, or a plain integer meaning seconds,
 * and returns whole seconds (rounded down).
 *
 * Zero in any spelling ("0", "0s", "0h0m") gives 0. Any other value under one second
 * ("500ms", "0.5s") and negative values are rejected; "1500ms" gives 1.
 *
 * @throws {DurationError} when the text is not a duration.
 */
export function parseDuration(text: string): number {
  if (PLAIN_SECONDS.test(text)) {
    const seconds = Number(text);
    if (!Number.isSafeInteger(seconds)) throw invalid(text);
    return seconds;
  }
  let rest = text.startsWith("+") ? text.slice(1) : text;
  if (rest === "0") return 0; // Go's one unitless special case, also with a sign
  if (rest === "") throw invalid(text);
  let total = 0n;
  while (rest !== "") {
    const match = COMPONENT.exec(rest);
    if (!match) throw invalid(text);
    const whole = match[1] ?? "";
    const fraction = match[2] ?? "";
    const name = match[3] ?? "";
    // Own keys only: "7toString" must not find Object.prototype.toString.
    const unit = Object.hasOwn(NS_PER_UNIT, name) ? NS_PER_UNIT[name] : undefined;
    if ((whole === "" && fraction === "") || unit === undefined) throw invalid(text);
    total += BigInt(whole || "0") * unit;
    if (fraction !== "") total += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    if (total > MAX_NS) throw invalid(text);
    rest = rest.slice(match[0].length);
  }
  if (total === 0n) return 0;
  if (total < NS_PER_SECOND) {
    throw new DurationError(text, "must be at least 1s");
  }
  return Number(total / NS_PER_SECOND);
}

/**
 * Formats whole seconds the way Go prints durations, minus the zero parts: whole minutes as
 * hours and minutes ("1h", "1h30m", "45m"), anything else as seconds ("90s", "3661s"), so the
 * result always parses back to the same value. Fractions are dropped; 0 gives "0s".
 */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  if (whole === 0 || whole % 60 !== 0) return `${whole}s`;
  const hours = Math.floor(whole / 3600);
  const minutes = (whole % 3600) / 60;
  return (hours > 0 ? `${hours}h` : "") + (minutes > 0 ? `${minutes}m` : "");
}
