/**
 * What aws-okta prints or hands to a child process: credential_process JSON and the `exec`
 * environment (the `export` lines for each shell are in src/ui/shell_quote.ts). Pure functions; no npm imports (cache-hit path).
 *
 * @module
 */

import { type AwsCredentials, formatExpiration, roleNameOf } from "./credentials.ts";

/**
 * The AWS CLI/SDK `credential_process` document: Version, AccessKeyId, SecretAccessKey,
 * SessionToken, Expiration (RFC 3339 UTC, no milliseconds), in that order, with a trailing newline.
 * Pretty output indents by 4 spaces, as Go aws-okta's `cred-process -p` does.
 */
export function credentialProcessJson(creds: AwsCredentials, pretty: boolean): string {
  const document = {
    Version: 1,
    AccessKeyId: creds.accessKeyId,
    SecretAccessKey: creds.secretAccessKey,
    SessionToken: creds.sessionToken,
    Expiration: formatExpiration(creds.expiration),
  };
  return `${JSON.stringify(document, null, pretty ? 4 : undefined)}\n`;
}

/** Input of {@linkcode credentialEnv}. */
export interface ExecEnvInput {
  /** The credentials to expose. */
  creds: AwsCredentials;
  /** The aws-okta profile name (AWS_OKTA_PROFILE). */
  profile: string;
  /** Region for AWS_REGION and AWS_DEFAULT_REGION, when the profile has one. */
  region?: string | undefined;
  /** The assumed-role ARN (from GetCallerIdentity); falls back to `creds.assumedRoleArn`. */
  assumedRoleArn?: string | undefined;
}

/**
 * The variables aws-okta's `exec` and `env` set: the keys (plus the legacy AWS_SECURITY_TOKEN),
 * AWS_OKTA_PROFILE, AWS_OKTA_ASSUMED_ROLE_ARN and AWS_OKTA_ASSUMED_ROLE (when the role is known),
 * AWS_OKTA_SESSION_EXPIRATION (unix seconds), AWS_CREDENTIAL_EXPIRATION (RFC 3339), and
 * AWS_REGION + AWS_DEFAULT_REGION when a region is set.
 */
export function credentialEnv(input: ExecEnvInput): Record<string, string> {
  const { creds } = input;
  const vars: Record<string, string> = {
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_SESSION_TOKEN: creds.sessionToken,
    AWS_SECURITY_TOKEN: creds.sessionToken,
    AWS_OKTA_PROFILE: input.profile,
  };
  const roleArn = input.assumedRoleArn ?? creds.assumedRoleArn;
  if (roleArn) {
    vars.AWS_OKTA_ASSUMED_ROLE_ARN = roleArn;
    vars.AWS_OKTA_ASSUMED_ROLE = roleNameOf(roleArn);
  }
  vars.AWS_OKTA_SESSION_EXPIRATION = String(Math.floor(creds.expiration.getTime() / 1000));
  vars.AWS_CREDENTIAL_EXPIRATION = formatExpiration(creds.expiration);
  if (input.region) {
    vars.AWS_REGION = input.region;
    vars.AWS_DEFAULT_REGION = input.region;
  }
  return vars;
}

/**
 * Variables removed from the parent environment before `exec` starts the child, so that a stale
 * key or a profile selection cannot override the fresh credentials.
 */
export const EXEC_UNSET_VARS: readonly string[] = Object.freeze([
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_FILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_PROFILE",
  "AWS_OKTA_PROFILE",
]);

/**
 * Secret inputs of aws-okta itself, never handed to a child: the file keyring's passphrase unlocks
 * the stored Okta password, and the private key signs Okta client assertions.
 */
export const SECRET_INPUT_VARS: readonly string[] = Object.freeze([
  "AWS_OKTA_FILE_PASSPHRASE",
  "OKTA_AWSCLI_PRIVATE_KEY",
]);

/**
 * Variables the installed launcher overrides for its own Deno, each with the variable where the
 * launcher saved the user's value (absent when the user had none): the child gets the user's back.
 */
export const LAUNCHER_SAVED_VARS: Readonly<Record<string, string>> = Object.freeze({
  DENO_DIR: "AWS_OKTA_USER_DENO_DIR",
  DENO_NO_UPDATE_CHECK: "AWS_OKTA_USER_DENO_NO_UPDATE_CHECK",
});

/** Set by the launcher when it saved the user's values in {@linkcode LAUNCHER_SAVED_VARS}. */
export const LAUNCHER_MARK = "AWS_OKTA_LAUNCHER";

/**
 * The child's environment: the parent's minus {@linkcode EXEC_UNSET_VARS},
 * {@linkcode SECRET_INPUT_VARS} and any `alsoUnset`, with the user's own Deno variables back in
 * place of the launcher's, plus `vars`.
 */
export function childEnv(
  parent: Record<string, string>,
  vars: Record<string, string>,
  alsoUnset: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  const launched = parent[LAUNCHER_MARK] === "1";
  const launcherVars = [
    LAUNCHER_MARK,
    ...Object.keys(LAUNCHER_SAVED_VARS),
    ...Object.values(LAUNCHER_SAVED_VARS),
  ];
  for (const [name, value] of Object.entries(parent)) {
    if (EXEC_UNSET_VARS.includes(name) || SECRET_INPUT_VARS.includes(name) || alsoUnset.includes(name)) {
      continue;
    }
    if (launched && launcherVars.includes(name)) continue;
    env[name] = value;
  }
  if (launched) {
    for (const [name, saved] of Object.entries(LAUNCHER_SAVED_VARS)) {
      const value = parent[saved];
      if (value !== undefined) env[name] = value;
    }
  }
  return Object.assign(env, vars);
}
