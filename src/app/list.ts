/**
 * The `list` use case: the profiles of the AWS config that aws-okta can serve, each with its role
 * chain and sign-in flow. Also the source of profile names for shell completion.
 *
 * A profile is listed when it resolves (its source_profile chain is sound), reaches an Okta app
 * (aws_saml_url) or an Identity Engine client (okta_oidc_client_id), holds no other kind of
 * credentials at the root of its chain, and is aws-okta's: it has a role, its own Okta keys, or a
 * credential_process that runs aws-okta.
 *
 * @module
 */

import { type AwsConfig, resolveProfile } from "../config/aws_config.ts";
import { AppError } from "../errors.ts";
import type { LoginFlow } from "./sign_in/login_flow.ts";

/** One listed profile. */
export interface ProfileListing {
  /** The profile name. */
  name: string;
  /**
   * How aws-okta signs in: "classic" (password + MFA, then the SAML app), "device" (Identity Engine
   * device flow), or "auto" (the device flow when the org turns out to be Identity Engine).
   */
  flow: LoginFlow;
  /** The profile and its source profiles, the profile first. */
  chain: string[];
  /** The roles assumed in order: the SAML role first (undefined: chosen at login), then each hop. */
  roles: { profile: string; roleArn: string | undefined }[];
  /** The region (env variables, console), if set. */
  region?: string;
  /** okta_account_name, if set. */
  oktaAccount?: string;
  /** aws_saml_url, if set. */
  samlUrl?: string;
}

/** What {@linkcode listProfiles} found. */
export interface ProfileList {
  profiles: ProfileListing[];
  /** Profiles that look like aws-okta's but do not resolve, with the reason. */
  skipped: { name: string; reason: string }[];
}

/** Keys that mark a profile as aws-okta's. */
const OKTA_KEYS = [
  "okta_aws_role_arn",
  "aws_saml_url",
  "okta_account_name",
  "okta_session_cookie_key",
  "okta_auth_flow",
  "okta_oidc_client_id",
  "okta_aws_fed_app_id",
  "mfa_provider",
  "mfa_factor_type",
];

/** Keys of other credential sources: a profile whose chain root has one is not aws-okta's. */
const OTHER_SOURCES = [
  "aws_access_key_id",
  "sso_start_url",
  "sso_session",
  "web_identity_token_file",
  "credential_source",
];

/**
 * Go aws-okta's `list`: a header, then every profile of the config that has `role_arn`, sorted by
 * name, as `PROFILE ARN SOURCE_ROLE` (the source_profile) in Go's tab-padded columns, byte for byte.
 */
export function goProfileTable(config: AwsConfig): string {
  const rows: string[][] = [];
  for (const name of config.profileNames()) {
    const section = config.profile(name);
    const roleArn = section?.["role_arn"];
    if (roleArn !== undefined) rows.push([name, roleArn, section?.["source_profile"] ?? ""]);
  }
  rows.sort((a, b) => compareCodePoints(a[0]!, b[0]!));
  return goTabwriter([["PROFILE", "ARN", "SOURCE_ROLE", ""], ...rows]);
}

/** Go's sort.Strings order: byte order of UTF-8, which is code point order. */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const diff = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return x.length - y.length;
}

/**
 * Go's text/tabwriter as `list` sets it up (minwidth 0, tabwidth 8, padding 2, padded with tabs):
 * each line's cells but the last are columns; a column's width is its widest cell in the run of
 * adjacent lines that have it, plus 2, rounded up to a multiple of 8; cells are padded with tabs.
 */
function goTabwriter(lines: readonly string[][]): string {
  const width = (text: string) => [...text].length;
  const padded = lines.map((cells) => cells.map(() => ""));
  const columns = Math.max(...lines.map((cells) => cells.length - 1));
  for (let column = 0; column < columns; column++) {
    for (let start = 0; start < lines.length;) {
      if (column >= lines[start]!.length - 1) {
        start++;
        continue;
      }
      let end = start;
      let cellWidth = 0;
      while (end < lines.length && column < lines[end]!.length - 1) {
        cellWidth = Math.max(cellWidth, width(lines[end]![column]!) + 2);
        end++;
      }
      cellWidth = Math.ceil(cellWidth / 8) * 8;
      for (let line = start; line < end; line++) {
        const text = lines[line]![column]!;
        padded[line]![column] = text + "\t".repeat(Math.ceil((cellWidth - width(text)) / 8));
      }
      start = end;
    }
  }
  return lines.map((cells, line) =>
    cells.map((cell, column) => column < cells.length - 1 ? padded[line]![column] : cell).join("") + "\n"
  ).join("");
}

/**
 * Profiles that have `role_arn` but no `source_profile` (nor another role source) beside a
 * `credential_process` line: how Go aws-okta users write their profiles, but the AWS CLI and boto3
 * refuse them ("Partial credentials found in assume-role, missing: source_profile") and the Go SDK
 * assumes role_arn again on top. aws-okta reads `okta_aws_role_arn` instead.
 */
export function partialAssumeRoleProfiles(config: AwsConfig): string[] {
  return config.profileNames().filter((name) => {
    const section = config.profile(name) ?? {};
    return section["role_arn"] !== undefined && section["credential_process"] !== undefined &&
      section["source_profile"] === undefined && section["credential_source"] === undefined &&
      section["web_identity_token_file"] === undefined;
  });
}

/** Lists the profiles aws-okta can serve, in file order. */
export function listProfiles(config: AwsConfig): ProfileList {
  const profiles: ProfileListing[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of config.profileNames()) {
    const sections = () => chainSections(config, name);
    let resolved;
    try {
      resolved = resolveProfile(config, name);
    } catch (error) {
      if (sections().some(isOkta)) {
        skipped.push({ name, reason: error instanceof AppError ? error.message : String(error) });
      }
      continue;
    }
    const own = resolved.chain.map((profile) => config.profile(profile) ?? {});
    const root = own[own.length - 1] ?? {};
    const runsUs = (section: Record<string, string>) =>
      /\baws-okta\b/.test(section["credential_process"] ?? "");
    if (OTHER_SOURCES.some((key) => root[key] !== undefined)) continue;
    if (root["credential_process"] !== undefined && !runsUs(root)) continue;
    const device = resolved.lookup("okta_oidc_client_id") !== undefined;
    if (!resolved.samlUrl && !device) continue;
    const hasRole = resolved.samlRoleArn !== undefined || resolved.hops.length > 0;
    if (!hasRole && !own.some(isOkta) && !own.some(runsUs)) continue;

    const setting = resolved.lookup("okta_auth_flow")?.toLowerCase();
    const flow = setting === "classic" || setting === "device" ? setting : device ? "auto" : "classic";
    const rootName = resolved.chain[resolved.chain.length - 1] ?? name;
    profiles.push({
      name,
      flow,
      chain: resolved.chain,
      roles: [
        { profile: rootName, roleArn: resolved.samlRoleArn },
        ...resolved.hops.map((hop) => ({ profile: hop.profile, roleArn: hop.roleArn })),
      ],
      ...(resolved.region ? { region: resolved.region } : {}),
      ...(resolved.oktaAccount ? { oktaAccount: resolved.oktaAccount } : {}),
      ...(resolved.samlUrl ? { samlUrl: resolved.samlUrl } : {}),
    });
  }
  return { profiles, skipped };
}

function isOkta(section: Record<string, string>): boolean {
  return OKTA_KEYS.some((key) => section[key] !== undefined);
}

/** The sections of a profile's chain as far as they exist (for profiles that do not resolve). */
function chainSections(config: AwsConfig, name: string): Record<string, string>[] {
  const sections: Record<string, string>[] = [];
  const seen = new Set<string>();
  for (let current: string | undefined = name; current && !seen.has(current);) {
    seen.add(current);
    const section = config.profile(current);
    if (!section) break;
    sections.push(section);
    current = section["source_profile"];
  }
  return sections;
}

/** `list --long`: an aligned table (PROFILE, FLOW, REGION, ROLES), with a trailing newline. */
export function profileTable(profiles: readonly ProfileListing[]): string {
  const rows = [["PROFILE", "FLOW", "REGION", "ROLES"]];
  for (const profile of profiles) {
    rows.push([
      profile.name,
      profile.flow,
      profile.region ?? "-",
      profile.roles.map((role) => role.roleArn ?? "(chosen at login)").join(" -> "),
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i]!)).join("  ")
  )
    .join("\n") + "\n";
}
