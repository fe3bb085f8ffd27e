/**
 * The AWS config file (`$AWS_CONFIG_FILE` or `~/.aws/config`) as aws-okta reads it: profiles
 * named the way the AWS SDK names them, plus the `[okta]` section the SDK ignores. Profile
 * resolution (source_profile chains, role hops, TTLs) lives in `profile.ts`.
 *
 * This runs on every `cred-process` call, so it imports nothing from npm.
 *
 * @module
 */

import { ConfigError } from "./config_error.ts";
import { type IniSection, parseIni } from "./ini.ts";
import type { EnvReader } from "../env.ts";

export { type ResolvedProfile, resolveProfile, type RoleHop } from "./profile.ts";

/** Where the AWS config file is: `$AWS_CONFIG_FILE` (a leading "~" expanded) or `<home>/.aws/config`. */
export function configPath(env: EnvReader, home: string): string {
  const fromEnv = env.get("AWS_CONFIG_FILE");
  if (fromEnv) return expandHome(fromEnv, home);
  return joinPath(home, ".aws", "config");
}

function separatorOf(home: string): string {
  return home.includes("\\") && !home.includes("/") ? "\\" : "/";
}

function joinPath(home: string, ...parts: string[]): string {
  const separator = separatorOf(home);
  const base = home.length > 1 && /[\\/]$/.test(home) ? home.slice(0, -1) : home;
  return [base, ...parts].join(separator);
}

function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/") || path.startsWith("~\\")) return joinPath(home, path.slice(2));
  return path;
}

/** A loaded AWS config file. Returned records have no prototype and must not be modified. */
export interface AwsConfig {
  /** The file it was read from. */
  path: string;
  /** False when the file does not exist (then there are no sections). */
  exists: boolean;
  /** Every section, in file order, duplicates merged. */
  sections: IniSection[];
  /**
   * The keys of a profile, names lower-cased as the AWS CLI reads them: `[profile x]` for "x" (also
   * spelled as the AWS CLI allows, `[profile "x"]`, `[profile prød]`), else Go aws-okta's `[x]`; for
   * "default", `[profile default]` if it has keys, else `[default]`. Sub-section keys are not
   * included. Undefined when there is no such section (an empty section is an empty record).
   */
  profile(name: string): Record<string, string> | undefined;
  /** The `[okta]` section's keys (empty if there is none). */
  okta: Record<string, string>;
  /** Profile names in file order. */
  profileNames(): string[];
}

const EMPTY: Record<string, string> = Object.freeze(Object.create(null));

function hasKeys(section: IniSection): boolean {
  for (const _ in section.values) return true;
  for (const _ in section.subsections) return true;
  return false;
}

/**
 * A section's keys as the AWS CLI reads them: names lower-cased (its INI reader folds case, so
 * `Role_Arn` is `role_arn`). The record is copied only when a name has an upper-case letter.
 */
function foldedValues(section: IniSection): Record<string, string> {
  const values = section.values;
  let folded: Record<string, string> | undefined;
  for (const key in values) {
    if (folded === undefined && !/[A-Z]/.test(key)) continue;
    if (folded === undefined) {
      folded = Object.create(null) as Record<string, string>;
      // Copy what came before this key, in order.
      for (const earlier in values) {
        if (earlier === key) break;
        folded[earlier] = values[earlier]!;
      }
    }
    folded[key.toLowerCase()] = values[key]!;
  }
  return folded ?? values;
}

/**
 * POSIX shell word splitting as Python's `shlex.split`, which the AWS CLI applies to `[profile …]`
 * headers; undefined where shlex fails (an unclosed quote, a trailing backslash).
 */
export function shellWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote === "'") {
      if (char === "'") quote = "";
      else word += char;
    } else if (quote === '"') {
      // Inside double quotes a backslash escapes only a double quote or a backslash.
      if (char === '"') quote = "";
      else if (char === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\")) word += text[++i];
      else word += char;
    } else if (char === "\\") {
      if (i + 1 >= text.length) return undefined;
      word += text[++i];
      inWord = true;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === " " || char === "\t" || char === "\r" || char === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words;
}

/**
 * The profile an untyped section header names beyond the AWS SDK's reading:
 * - the AWS CLI's: a header starting with "profile" that shell-splits into two words
 *   (`[profile prød]`, `[profile "my profile"]`), as botocore's configloader reads it;
 * - Go aws-okta's: any other header, trimmed, minus a "profile " prefix (`[x]`, `[profile a b]`),
 *   which yields to a profile of the same name read the AWS SDK's or the AWS CLI's way.
 */
function extraProfileName(header: string): { name: string; go: boolean } | undefined {
  if (header.startsWith("profile")) {
    const words = shellWords(header);
    if (words?.length === 2) return { name: words[1]!, go: false };
  }
  if (header.startsWith("sso-session") || header.startsWith("services")) return undefined;
  // Go trims the header, then drops the prefix; its `[okta]` is the Okta section, never a profile.
  const trimmed = header.trim();
  const name = trimmed.startsWith("profile ") ? trimmed.slice("profile ".length) : trimmed;
  return name === "okta" ? undefined : { name, go: true };
}

function buildConfig(path: string, exists: boolean, sections: IniSection[]): AwsConfig {
  // Sections by profile name; their keys are read (and folded) only when a profile is asked for.
  const profiles = new Map<string, IniSection>();
  const goProfiles = new Map<string, IniSection>();
  let plainDefault: IniSection | undefined;
  let profileDefault: IniSection | undefined;
  let okta: IniSection | undefined;
  const names = new Set<string>();
  for (const section of sections) {
    if (section.type === "profile") {
      profiles.set(section.name, section);
      if (section.name === "default") profileDefault = section;
      names.add(section.name);
    } else if (section.type !== undefined) {
      continue;
    } else if (section.key === "default") {
      plainDefault = section;
      names.add("default");
    } else if (section.key === "okta") {
      okta = section;
    } else {
      const extra = extraProfileName(section.key);
      if (!extra) continue;
      (extra.go ? goProfiles : profiles).set(extra.name, section);
      names.add(extra.name);
    }
  }
  // The SDK lets a non-empty [profile default] replace [default] wholesale.
  if (plainDefault && !(profileDefault && hasKeys(profileDefault))) profiles.set("default", plainDefault);
  // `[profile x]` wins over Go's `[x]`.
  for (const [name, section] of goProfiles) if (!profiles.has(name)) profiles.set(name, section);
  const folded = new Map<string, Record<string, string>>();
  const oktaValues = okta ? foldedValues(okta) : EMPTY;
  return {
    path,
    exists,
    sections,
    profile(name) {
      let values = folded.get(name);
      if (values === undefined) {
        const section = profiles.get(name);
        if (!section) return undefined;
        values = foldedValues(section);
        folded.set(name, values);
      }
      return values;
    },
    okta: oktaValues,
    profileNames: () => [...names],
  };
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function readError(path: string, error: unknown): ConfigError {
  let reason = error instanceof Error ? error.message : String(error);
  if (error instanceof Deno.errors.PermissionDenied) reason = "permission denied";
  else if (error instanceof Deno.errors.NotCapable) reason = "no read permission for this process";
  else if (error instanceof TypeError) reason = "not valid text";
  // Windows has no "is a directory" error: opening one is "Access denied" (Wine: "Invalid function").
  if (error instanceof Deno.errors.IsADirectory || (Deno.build.os === "windows" && isDirectory(path))) {
    reason = "is a directory";
  }
  // Deno appends ": readfile '<path>'"; the message already names the file.
  reason = reason.replace(/: \w+ '.*'$/, "");
  return new ConfigError(`cannot read "${path}": ${reason}`, { cause: error });
}

/** Builds a config from text already read (as if from an existing file at `path`). */
export function parseAwsConfig(text: string, path: string): AwsConfig {
  return buildConfig(path, true, parseIni(text, path));
}

/**
 * Loads and parses the AWS config file. A missing file gives an empty config with
 * `exists: false`: whether that is an error is up to the command.
 *
 * @throws {ConfigError} when the file exists but cannot be read or parsed.
 */
export async function loadAwsConfig(path: string): Promise<AwsConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return buildConfig(path, false, []);
    throw readError(path, error);
  }
  return parseAwsConfig(text, path);
}

/** The synchronous twin of {@linkcode loadAwsConfig}, for the `cred-process` fast path. */
export function loadAwsConfigSync(path: string): AwsConfig {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return buildConfig(path, false, []);
    throw readError(path, error);
  }
  return parseAwsConfig(text, path);
}
