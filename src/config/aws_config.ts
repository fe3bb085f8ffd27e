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

export { type ResolvedProfile, resolveProfile, type RoleHop } from "./profile.ts";

/** Where the AWS config file is: `$AWS_CONFIG_FILE` (a leading "~" expanded) or `<home>/.aws/config`. */
export function configPath(env: { get(name: string): string | undefined }, home: string): string {
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
   * The keys of a profile as the AWS SDK sees them: `[profile x]` for "x"; for "default",
   * `[profile default]` if it has keys, else `[default]`. Sub-section keys are not included.
   * Undefined when there is no such section (an empty section is an empty record).
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

function buildConfig(path: string, exists: boolean, sections: IniSection[]): AwsConfig {
  const profiles = new Map<string, IniSection>();
  let plainDefault: IniSection | undefined;
  let okta: IniSection | undefined;
  const names: string[] = [];
  for (const section of sections) {
    if (section.type === "profile") {
      profiles.set(section.name, section);
      if (!names.includes(section.name)) names.push(section.name);
    } else if (section.type === undefined && section.key === "default") {
      plainDefault = section;
      if (!names.includes("default")) names.push("default");
    } else if (section.type === undefined && section.key === "okta") {
      okta = section;
    }
  }
  // The SDK lets a non-empty [profile default] replace [default] wholesale.
  const profileDefault = profiles.get("default");
  if (plainDefault && !(profileDefault && hasKeys(profileDefault))) profiles.set("default", plainDefault);
  return {
    path,
    exists,
    sections,
    profile: (name) => profiles.get(name)?.values,
    okta: okta?.values ?? EMPTY,
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
