/**
 * A round-trip-safe editor for AWS INI files (used for `~/.aws/credentials`, and by `populate` for
 * `~/.aws/config`): it changes only the lines of the keys it sets, or of the sections it removes,
 * and keeps every other byte (comments, order, spacing, line endings, other sections). Lines are
 * classified with the reader's own rules (`ini.ts`), so what we change is exactly what the AWS SDK
 * will read back; a final re-parse guards that promise.
 *
 * @module
 */

import { ConfigError } from "./config_error.ts";
import { headerText, type IniSection, isForbiddenKey, parseIni, sectionId, stripComment } from "./ini.ts";

interface Line {
  content: string;
  eol: string;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    if (newline < 0) {
      if (start < text.length) lines.push({ content: text.slice(start), eol: "" });
      break;
    }
    const crlf = newline > start && text[newline - 1] === "\r";
    lines.push({ content: text.slice(start, crlf ? newline - 1 : newline), eol: crlf ? "\r\n" : "\n" });
    start = newline + 1;
  }
  return lines;
}

/** The line ending most lines use; LF for a file without any. */
function dominantEol(lines: Line[]): string {
  let crlf = 0;
  for (const line of lines) if (line.eol === "\r\n") crlf++;
  return crlf * 2 > lines.filter((line) => line.eol !== "").length ? "\r\n" : "\n";
}

function checkHeader(sectionHeader: string): string {
  const line = `[${sectionHeader}]`;
  const id = /[\r\n]/.test(sectionHeader) || stripComment(line).trim() !== line
    ? undefined
    : sectionId(sectionHeader);
  if (!id || isForbiddenKey(id.key)) {
    throw new ConfigError(`invalid section header "${sectionHeader}": the AWS SDK would not read it`);
  }
  return id.key;
}

// Values are secrets (session tokens): messages name the key, never the value.
function checkEntry(key: string, value: string | undefined): void {
  if (key === "" || /[\s=]/.test(key) || /^[[;#]/.test(key) || key === "__proto__") {
    throw new ConfigError(`invalid key "${key}": use letters, digits, "_" or "-"`);
  }
  if (value === undefined) return;
  if (value === "" || value.trim() !== value || /[\r\n]/.test(value) || /(^|\s)[;#]/.test(value)) {
    throw new ConfigError(
      `invalid value for "${key}": it must be non-empty, without surrounding spaces, line breaks or " #"/" ;"`,
    );
  }
}

/** Rewrites the value part of a `key = value` line, keeping indentation, spacing and comment. */
function replaceValue(content: string, value: string): string {
  const code = stripComment(content);
  const equals = code.indexOf("=");
  const after = code.slice(equals + 1);
  const start = equals + 1 + (after.length - after.trimStart().length);
  const end = start + after.trim().length;
  return content.slice(0, start) + value + content.slice(end);
}

interface SectionSnapshot {
  values: Record<string, string>;
  subsections: Record<string, Record<string, string>>;
}

/** Section key → values and sub-sections, as plain objects, for the post-edit check. */
function snapshot(sections: IniSection[]): Record<string, SectionSnapshot> {
  const result: Record<string, SectionSnapshot> = {};
  for (const section of sections) {
    const subsections: Record<string, Record<string, string>> = {};
    for (const [name, values] of Object.entries(section.subsections)) subsections[name] = { ...values };
    result[section.key] = { values: { ...section.values }, subsections };
  }
  return result;
}

/** JSON with object keys sorted, so two snapshots compare regardless of insertion order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(",")}}`;
}

/**
 * Sets (or, with undefined, removes) keys in section `[sectionHeader]` (exact header text, e.g.
 * "dev" or "profile dev"), keeping every other byte of the file: comments, order, spacing, line
 * endings, other sections. Appends the section at the end (separated by one blank line) if
 * absent; updates keys in place (in every copy of a duplicated section), appends new keys after
 * the section's last key line. Keys inside sub-sections are never touched.
 *
 * @param fileName used in error messages only.
 * @throws {ConfigError} for a header, key or value the AWS SDK would read differently, for a file
 *   it cannot parse, and in the rare case where removing a key would change how later lines are
 *   read (a line that closes a sub-section).
 */
export function setSectionValues(
  text: string,
  sectionHeader: string,
  values: Record<string, string | undefined>,
  fileName = "the file",
): string {
  const target = checkHeader(sectionHeader);
  const entries = Object.entries(values);
  for (const [key, value] of entries) checkEntry(key, value);
  const before = parseIni(text, fileName);

  const lines = splitLines(text);
  const eol = dominantEol(lines);
  const output: (string | undefined)[] = lines.map((line) => line.content);
  const found = new Set<string>();
  let inTarget = false;
  let subsection: string | undefined;
  let anchor = -1;
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]?.content ?? "";
    const line = stripComment(raw).trim();
    const header = headerText(line);
    if (header !== undefined) {
      inTarget = sectionId(header)?.key === target;
      subsection = undefined;
      if (inTarget) anchor = index;
      continue;
    }
    if (!inTarget) continue;
    const equals = line.indexOf("=");
    if (equals <= 0) continue;
    anchor = index;
    const key = line.slice(0, equals).trim();
    if (line.slice(equals + 1).trim() === "") {
      subsection = key;
      continue;
    }
    if (subsection !== undefined && raw.trimStart() === raw) subsection = undefined;
    if (subsection !== undefined || !Object.hasOwn(values, key)) continue;
    found.add(key);
    const value = values[key];
    output[index] = value === undefined ? undefined : replaceValue(raw, value);
  }

  const added = entries.filter(([key, value]) => value !== undefined && !found.has(key))
    .map(([key, value]) => `${key} = ${value}`);
  let result = "";
  if (anchor < 0) {
    if (added.length === 0) return text;
    result = text;
    if (result !== "") {
      if (!result.endsWith("\n")) result += eol;
      if ((lines[lines.length - 1]?.content ?? "").trim() !== "") result += eol;
    }
    result += [`[${sectionHeader}]`, ...added].map((line) => line + eol).join("");
  } else {
    for (let index = 0; index < lines.length; index++) {
      const content = output[index];
      const line = lines[index];
      if (content !== undefined && line) {
        result += content + (index === anchor && added.length > 0 && line.eol === "" ? eol : line.eol);
      }
      if (index === anchor) { for (const line of added) result += line + eol; }
    }
  }

  const expected = snapshot(before);
  const want = expected[target] ?? { values: {}, subsections: {} };
  for (const [key, value] of entries) {
    if (value === undefined) delete want.values[key];
    else want.values[key] = value;
  }
  expected[target] = want;
  if (canonical(snapshot(parseIni(result, fileName))) !== canonical(expected)) {
    throw new ConfigError(`cannot edit "[${sectionHeader}]" in "${fileName}" in place`, {
      hint:
        "the change would alter how other lines are read (a removed key closes a sub-section); edit the file by hand",
    });
  }
  return result;
}

/**
 * Removes section `[sectionHeader]` (every copy of it): its header, the lines up to its last
 * non-comment line, and the blank lines after it. Comments after its last key stay, since they
 * usually introduce what follows; every other byte of the file is kept. Returns the text as it was
 * when there is no such section.
 *
 * @param fileName used in error messages only.
 * @throws {ConfigError} for a header the AWS SDK would not read, or a file it cannot parse.
 */
export function removeSection(text: string, sectionHeader: string, fileName = "the file"): string {
  const target = checkHeader(sectionHeader);
  const before = parseIni(text, fileName);
  const lines = splitLines(text);
  const drop = new Set<number>();
  for (let index = 0; index < lines.length; index++) {
    const header = headerText(stripComment(lines[index]?.content ?? "").trim());
    if (header === undefined || sectionId(header)?.key !== target) continue;
    let last = index;
    let next = index + 1;
    for (; next < lines.length; next++) {
      const line = stripComment(lines[next]?.content ?? "").trim();
      if (headerText(line) !== undefined) break;
      if (line !== "") last = next;
    }
    let end = last + 1;
    while (end < lines.length && (lines[end]?.content ?? "").trim() === "") end++;
    // At the end of the file, the blank lines that separated the section go too.
    let start = index;
    if (end >= lines.length) {
      while (start > 0 && (lines[start - 1]?.content ?? "").trim() === "") start--;
    }
    for (let i = start; i < end; i++) drop.add(i);
    index = end - 1;
  }
  if (drop.size === 0) return text;
  let result = "";
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (!drop.has(index)) result += line.content + line.eol;
  }

  const expected = snapshot(before.filter((section) => section.key !== target));
  if (canonical(snapshot(parseIni(result, fileName))) !== canonical(expected)) {
    throw new ConfigError(`cannot remove "[${sectionHeader}]" from "${fileName}" in place`, {
      hint: "edit the file by hand",
    });
  }
  return result;
}

/**
 * Comments out (`# key = value`, as okta-aws-cli does) the lines of `keys` in section
 * `[sectionHeader]`, so a value that is no longer kept up to date cannot be read as current.
 * Keys inside sub-sections are left alone. Returns the new text and the keys commented out, in
 * file order; the text is unchanged when none is present.
 */
export function commentOutKeys(
  text: string,
  sectionHeader: string,
  keys: readonly string[],
  fileName = "the file",
): { text: string; commented: string[] } {
  const target = checkHeader(sectionHeader);
  const lines = splitLines(text);
  const commented: string[] = [];
  let inTarget = false;
  let subsection: string | undefined;
  let result = "";
  for (const { content, eol } of lines) {
    const line = stripComment(content).trim();
    const header = headerText(line);
    let out = content;
    if (header !== undefined) {
      inTarget = sectionId(header)?.key === target;
      subsection = undefined;
    } else if (inTarget) {
      const equals = line.indexOf("=");
      if (equals > 0) {
        const key = line.slice(0, equals).trim();
        if (line.slice(equals + 1).trim() === "") subsection = key;
        else {
          if (subsection !== undefined && content.trimStart() === content) subsection = undefined;
          if (subsection === undefined && keys.includes(key)) {
            out = `# ${content.trimStart()}`;
            if (!commented.includes(key)) commented.push(key);
          }
        }
      }
    }
    result += out + eol;
  }
  if (commented.length === 0) return { text, commented };
  const after = parseIni(result, fileName).find((section) => section.key === target);
  if (after && keys.some((key) => Object.hasOwn(after.values, key))) {
    throw new ConfigError(`cannot comment out keys of "[${sectionHeader}]" in "${fileName}"`, {
      hint: "edit the file by hand",
    });
  }
  return { text: result, commented };
}
