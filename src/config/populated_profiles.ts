/**
 * The profiles `aws-okta populate` owns in the AWS config: each carries the marker key
 * `aws_okta_populate = <Okta account>`, so a later run for the same Okta account updates them and
 * removes those whose role is no longer granted, and never touches a profile someone wrote by hand
 * (or one populated for another Okta account). The edit goes through the INI editor, so every
 * other byte of the file is kept.
 *
 * Pure: text in, text and a summary out.
 *
 * @module
 */

import { parseAwsConfig } from "./aws_config.ts";
import { ConfigError } from "./config_error.ts";
import { removeSection, setSectionValues } from "./ini_edit.ts";

/** The key marking a profile as written by `populate`; its value is the Okta account ("default" or a name). */
export const POPULATE_MARKER = "aws_okta_populate";

/** A profile populate wants: its keys (undefined removes a key populate may have written before). */
export interface WantedProfile {
  name: string;
  values: Record<string, string | undefined>;
}

/** What happened to one profile. */
export interface ProfileChange {
  name: string;
  action: "added" | "updated" | "unchanged" | "removed";
}

/** The result of {@linkcode applyPopulatedProfiles}. */
export interface PopulatedEdit {
  /** The new file text. */
  text: string;
  /** One entry per wanted profile (in order), then the removed ones. */
  changes: ProfileChange[];
}

/** Options of {@linkcode applyPopulatedProfiles}. */
export interface PopulateEditOptions {
  /** The Okta account the run is for: the marker's value. */
  scope: string;
  /** Used in messages. */
  fileName: string;
  /** Owned profiles (by their keys) to keep even though no wanted profile has their name. */
  keep?: (values: Record<string, string>) => boolean;
}

/**
 * Writes the wanted profiles into `text` and removes the other profiles owned by `scope`.
 *
 * @throws {ConfigError} naming the profiles that exist but are not populate's for this Okta
 *   account (nothing is changed then), or for a file the editor cannot edit in place.
 */
export function applyPopulatedProfiles(
  text: string,
  wanted: readonly WantedProfile[],
  options: PopulateEditOptions,
): PopulatedEdit {
  const { scope, fileName } = options;
  const config = parseAwsConfig(text, fileName);
  const foreign = wanted.map((profile) => profile.name).filter((name) => {
    const existing = name === "default" ? config.profile(name) : ownValues(config, name);
    return existing !== undefined && existing[POPULATE_MARKER] !== scope;
  });
  if (foreign.length > 0) {
    const names = foreign.map((name) => `"${name}"`).join(", ");
    throw new ConfigError(
      `${foreign.length === 1 ? "profile" : "profiles"} ${names} already ${
        foreign.length === 1 ? "exists" : "exist"
      } in "${fileName}" and ${foreign.length === 1 ? "was" : "were"} not written by aws-okta populate${
        scope === "default" ? "" : ` for Okta account "${scope}"`
      }`,
      { hint: "rename or remove them, or pick other names with --prefix or --name-template" },
    );
  }

  let result = text;
  const changes: ProfileChange[] = [];
  const names = new Set<string>();
  for (const profile of wanted) {
    names.add(profile.name);
    const existed = ownValues(config, profile.name) !== undefined;
    const next = setSectionValues(
      result,
      `profile ${profile.name}`,
      { [POPULATE_MARKER]: scope, ...profile.values },
      fileName,
    );
    changes.push({
      name: profile.name,
      action: !existed ? "added" : next === result ? "unchanged" : "updated",
    });
    result = next;
  }
  for (const section of config.sections) {
    if (section.type !== "profile" || names.has(section.name)) continue;
    if (section.values[POPULATE_MARKER] !== scope || options.keep?.(section.values)) continue;
    result = removeSection(result, `profile ${section.name}`, fileName);
    changes.push({ name: section.name, action: "removed" });
  }
  return { text: result, changes };
}

/** The keys of `[profile <name>]` itself (not a plain `[default]`), or undefined when absent. */
function ownValues(
  config: ReturnType<typeof parseAwsConfig>,
  name: string,
): Record<string, string> | undefined {
  return config.sections.find((section) => section.type === "profile" && section.name === name)?.values;
}
