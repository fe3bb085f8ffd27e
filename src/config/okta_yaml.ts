/**
 * okta-aws-cli's `~/.okta/okta.yaml`: friendly labels for IdP and role ARNs (matched by exact key,
 * then by each key as a regular expression) and named profiles of flag values:
 *
 * ```yaml
 * awscli:
 *   idps:
 *     "arn:aws:iam::123456789012:saml-provider/Okta": "Production"
 *   roles:
 *     "arn:aws:iam::.*:role/Admin": "Admin"
 *   profiles:
 *     sandbox:
 *       aws-iam-role: "arn:aws:iam::123456789012:role/Admin"
 *       write-aws-credentials: true
 * ```
 *
 * The YAML parser is loaded lazily: only `web` and `m2m` read this file.
 *
 * @module
 */

import { isRecord } from "../errors.ts";
import { ConfigError } from "./config_error.ts";

/** The parts of okta.yaml aws-okta reads. */
export interface OktaYaml {
  /** IdP ARN (or regexp) → label. */
  idps: Record<string, string>;
  /** Role ARN (or regexp) → label. */
  roles: Record<string, string>;
  /** Profile name → flag name → value (as text). */
  profiles: Record<string, Record<string, string>>;
}

/** Where okta.yaml is. */
export function oktaYamlPath(home: string): string {
  return `${home}/.okta/okta.yaml`;
}

/** Reads okta.yaml; an empty config when the file does not exist. */
export async function loadOktaYaml(path: string): Promise<OktaYaml> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { idps: {}, roles: {}, profiles: {} };
    throw new ConfigError(`cannot read "${path}": ${error instanceof Error ? error.message : error}`);
  }
  return await parseOktaYaml(text, path);
}

/** Parses okta.yaml text. */
export async function parseOktaYaml(text: string, path: string): Promise<OktaYaml> {
  const { parse } = await import("yaml");
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(`invalid YAML in "${path}": ${detail}`);
  }
  const awscli = record(record(document)?.awscli);
  const profiles: Record<string, Record<string, string>> = {};
  for (const [name, values] of Object.entries(record(awscli?.profiles) ?? {})) {
    profiles[name] = strings(record(values));
  }
  return { idps: strings(record(awscli?.idps)), roles: strings(record(awscli?.roles)), profiles };
}

/**
 * The label of an ARN as okta-aws-cli finds it: an exact key first, then the first key that, as a
 * regular expression, matches anywhere in the ARN (Go's regexp.MatchString, unanchored: a key
 * `role/Engineer` labels `arn:aws:iam::1:role/Engineer`; write `^…$` to match whole ARNs).
 */
export function labelFor(labels: Record<string, string>, arn: string): string | undefined {
  if (Object.hasOwn(labels, arn)) return labels[arn];
  for (const [pattern, label] of Object.entries(labels)) {
    try {
      if (new RegExp(pattern).test(arn)) return label;
    } catch {
      // Not a regular expression; it only matches exactly.
    }
  }
  return undefined;
}

/** The ARN among `arns` that `value` names: the ARN itself, or one whose label is `value`. */
export function resolveLabel(
  labels: Record<string, string>,
  arns: readonly string[],
  value: string,
): string | undefined {
  if (arns.includes(value)) return value;
  return arns.find((arn) => labelFor(labels, arn) === value);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

function strings(value: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value ?? {})) {
    if (typeof item === "string" || typeof item === "number" || typeof item === "boolean") {
      out[key] = String(item);
    }
  }
  return out;
}
