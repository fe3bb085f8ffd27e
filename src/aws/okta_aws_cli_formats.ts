/**
 * okta-aws-cli's machine output, byte for byte, for scripts that parse it: `--format env-var`
 * lines and `--format process-credentials` JSON (okta-aws-cli v2.6.0, internal/output). Kept apart
 * from ui/shell_quote.ts, whose `exportLines` serves aws-okta's own `env` command. Pure; no imports at
 * run time beyond credentials.ts.
 *
 * @module
 */

import { type AwsCredentials, formatExpiration } from "./credentials.ts";

/** okta-aws-cli's `--format` values: this table is their one home (the flag and the use case read it). */
export const OUTPUT_FORMATS = ["env-var", "aws-credentials", "process-credentials", "noop"] as const;

/** One of {@linkcode OUTPUT_FORMATS}. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/** Characters no shell (sh, bash, zsh, cmd) treats specially: AWS keys and tokens use only these. */
const BARE = /^[A-Za-z0-9+/=_.:,@-]*$/;

/**
 * okta-aws-cli's env-var output: `export NAME=value` lines (`setx NAME value` on Windows, where
 * okta-aws-cli persists the variables with setx), values unquoted as okta-aws-cli prints them. A
 * value that a shell would split or expand (never an AWS key or token) is quoted instead of
 * being printed in a form that would run as code.
 */
export function envVarLines(vars: Record<string, string>, windows: boolean): string {
  let out = "";
  for (const [name, value] of Object.entries(vars)) {
    if (windows) {
      out += `setx ${name} ${BARE.test(value) ? value : `"${value.replaceAll('"', '\\"')}"`}\n`;
    } else {
      out += `export ${name}=${BARE.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`}\n`;
    }
  }
  return out;
}

/**
 * okta-aws-cli's process-credentials output: Go's `json.MarshalIndent(…, "", "  ")` of its
 * ProcessCredential, whose keys come out as AccessKeyId, SecretAccessKey, SessionToken, Version,
 * Expiration (the Expiration override follows the embedded fields), with no trailing newline.
 */
export function processCredentialsJson(creds: AwsCredentials): string {
  // Go escapes <, > and & in JSON strings; AWS values never hold them, but keep the bytes equal.
  const go = (value: string) =>
    JSON.stringify(value).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  return [
    "{",
    `  "AccessKeyId": ${go(creds.accessKeyId)},`,
    `  "SecretAccessKey": ${go(creds.secretAccessKey)},`,
    `  "SessionToken": ${go(creds.sessionToken)},`,
    `  "Version": 1,`,
    `  "Expiration": ${go(formatExpiration(creds.expiration))}`,
    "}",
  ].join("\n");
}
