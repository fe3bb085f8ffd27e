/**
 * A reader for AWS config and credentials files that follows the AWS SDK for JavaScript
 * (`@smithy/shared-ini-file-loader`) line by line, so a file means the same to us as to the AWS
 * CLI v3 SDKs that call our `credential_process`. Hand-written because it runs on every
 * `cred-process` call, where loading the SDK would cost more than the whole cache hit.
 *
 * The SDK's rules, which this reproduces:
 * - Lines split on LF or CRLF (a lone CR is an ordinary character).
 * - A `;` or `#` at the start of a line or after whitespace starts a comment; the rest is trimmed
 *   (JavaScript's trim, which also removes a BOM and Unicode spaces).
 * - `[...]` is a header. `[<type> <name>]` with type profile, sso-session or services and a name of
 *   word characters and `-@+.%:/` (optionally quoted) is keyed "<type>.<name>"; a header of that
 *   shape with another type is ignored with its keys; any other header is keyed by its text as
 *   written, inner spaces included (`[ default ]` is " default ", `[okta]` is "okta").
 * - `key = value` splits at the first `=` and trims both sides. A key with an empty value opens a
 *   sub-section; the lines after it that are indented belong to it (`s3 =` / `  max = 10`).
 * - Later sections with the same key merge into the first; a later key overwrites an earlier one.
 * - Everything else (no `=`, `=` first, lines before any header, keys of ignored sections) is
 *   silently skipped, as the SDK does. The only error is the SDK's: a section named `__proto__`.
 *
 * @module
 */

import { ConfigError } from "./config_error.ts";

/** One section of an INI file, duplicates merged. Records have no prototype. */
export interface IniSection {
  /** The key the AWS SDK files the section under: "profile.dev", "sso-session.corp", "default", "okta". */
  key: string;
  /** "profile", "sso-session" or "services" for a `[<type> <name>]` header; absent for `[default]`, `[okta]`. */
  type?: string;
  /** The name without the type ("dev" for `[profile dev]`); for other headers the text between the brackets. */
  name: string;
  /** 1-based line of the first header of this section. */
  line: number;
  /** Keys outside sub-sections. A key with an empty value is never here: it opens a sub-section. */
  values: Record<string, string>;
  /** Sub-section name → its keys, e.g. { s3: { max_concurrent_requests: "10" } }. */
  subsections: Record<string, Record<string, string>>;
}

/** The SDK's reading of a header's text (what is between the brackets). */
export interface SectionId {
  /** See {@linkcode IniSection.key}. */
  key: string;
  /** See {@linkcode IniSection.type}. */
  type?: string;
  /** See {@linkcode IniSection.name}. */
  name: string;
}

const TYPED_HEADER = /^([\w-]+)\s(["'])?([\w@+.%:/-]+)\2$/;
const PLAIN_NAME = /^[\w@+.%:/-]+$/;
const SECTION_TYPES: readonly string[] = ["profile", "sso-session", "services"];
const COMMENT = /(^|\s)[;#]/;
const LINE_BREAK = /\r?\n/;

/** The text of a raw line before its comment, untrimmed (the SDK's comment rule). */
export function stripComment(line: string): string {
  // Most lines have no comment character: skip the regular expression (big configs, cold start).
  if (!line.includes("#") && !line.includes(";")) return line;
  const match = COMMENT.exec(line);
  return match ? line.slice(0, match.index) : line;
}

/** The header text of a trimmed, comment-free line if it is a header line, else undefined. */
export function headerText(trimmed: string): string | undefined {
  return trimmed[0] === "[" && trimmed[trimmed.length - 1] === "]" && trimmed.length > 1
    ? trimmed.slice(1, -1)
    : undefined;
}

/**
 * How the SDK files a header: undefined when it ignores the section and its keys (an unknown
 * `<type> <name>` header, or `[]`).
 */
export function sectionId(header: string): SectionId | undefined {
  // The common case without the regular expression's captures (thousands of profiles, cold start).
  if (header.startsWith("profile ")) {
    const name = header.slice("profile ".length);
    if (PLAIN_NAME.test(name)) return { key: `profile.${name}`, type: "profile", name };
  }
  const match = TYPED_HEADER.exec(header);
  if (!match) return header === "" ? undefined : { key: header, name: header };
  const type = match[1] ?? "";
  const name = match[3] ?? "";
  return SECTION_TYPES.includes(type) ? { key: `${type}.${name}`, type, name } : undefined;
}

/** True for section keys the SDK refuses (they would pollute its plain-object maps). */
export function isForbiddenKey(key: string): boolean {
  return key === "__proto__" || key === "profile.__proto__";
}

function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Where a header line may start: the first character after whitespace is "[" (checked exactly later). */
const HEADER_CANDIDATE = /^[^\S\n]*\[/gm;

/**
 * Parses INI text the way the AWS SDK does and returns its sections in file order, sections with
 * the same key merged. Unlike the SDK, sections without any key are returned too (empty).
 *
 * Only header lines are read up front (found with one regular expression, then checked line by
 * line by the SDK's rules); a section's keys are read when its `values` or `subsections` are first
 * used. A cache hit reads a handful of sections of a config that may hold thousands.
 *
 * @throws {ConfigError} `cannot parse "<fileName>" line N: ...` for a section named `__proto__`.
 */
export function parseIni(text: string, fileName: string): IniSection[] {
  const sections: IniSection[] = [];
  const byKey = new Map<string, LazySection>();
  let open: LazySection | undefined;
  for (const match of text.matchAll(HEADER_CANDIDATE)) {
    const start = match.index;
    // `^` also matches after a lone CR or U+2028; the SDK splits lines at LF only.
    if (start > 0 && text[start - 1] !== "\n") continue;
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    const raw = text.slice(start, text[end - 1] === "\r" ? end - 1 : end);
    const header = headerText(stripComment(raw).trim());
    if (header === undefined) continue;
    // Any header ends the open section's body, even one the SDK ignores.
    open?.bodies.push(open.pendingStart, start);
    open = undefined;
    const id = sectionId(header);
    if (!id) continue;
    if (isForbiddenKey(id.key)) {
      throw new ConfigError(
        `cannot parse "${fileName}" line ${lineAt(text, start)}: invalid section name "${header}"`,
      );
    }
    let section = byKey.get(id.key);
    if (!section) {
      section = new LazySection(text, id, start);
      byKey.set(id.key, section);
      sections.push(section);
    }
    section.pendingStart = end + 1;
    open = section;
  }
  open?.bodies.push(open.pendingStart, text.length);
  return sections;
}

/** The 1-based line of the offset `at` (counted only when asked: errors and tests). */
function lineAt(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** A section whose keys are read from its body ranges on first use. */
class LazySection implements IniSection {
  key: string;
  type?: string;
  name: string;
  /** [start, end) offsets of the lines under each of its headers, in file order. */
  bodies: number[] = [];
  /** Where the body of the header seen last starts (its end is known at the next header). */
  pendingStart = 0;
  #text: string;
  #headerStart: number;
  #values: Record<string, string> | undefined;
  #subsections: Record<string, Record<string, string>> | undefined;

  constructor(text: string, id: SectionId, headerStart: number) {
    this.#text = text;
    this.#headerStart = headerStart;
    this.key = id.key;
    if (id.type !== undefined) this.type = id.type;
    this.name = id.name;
  }

  get line(): number {
    return lineAt(this.#text, this.#headerStart);
  }

  get values(): Record<string, string> {
    if (!this.#values) this.#read();
    return this.#values!;
  }

  get subsections(): Record<string, Record<string, string>> {
    if (!this.#subsections) this.#read();
    return this.#subsections!;
  }

  #read(): void {
    const values = record<string>();
    const subsections = record<Record<string, string>>();
    for (let i = 0; i < this.bodies.length; i += 2) {
      const body = this.#text.slice(this.bodies[i], this.bodies[i + 1]);
      // Each header starts outside any sub-section.
      let subsection: string | undefined;
      for (const raw of body.split(LINE_BREAK)) {
        const line = stripComment(raw).trim();
        const equals = line.indexOf("=");
        if (equals <= 0) continue;
        const key = line.slice(0, equals).trim();
        const value = line.slice(equals + 1).trim();
        if (value === "") {
          subsection = key;
          continue;
        }
        if (subsection !== undefined && raw.trimStart() === raw) subsection = undefined;
        if (subsection === undefined) {
          // The SDK assigns into a plain object, where "__proto__" is a no-op.
          if (key !== "__proto__") values[key] = value;
        } else {
          (subsections[subsection] ??= record())[key] = value;
        }
      }
    }
    this.#values = values;
    this.#subsections = subsections;
  }
}
