/**
 * okta-aws-cli's flags shared by `web` and `m2m` (same long names, short letters and
 * OKTA_AWSCLI_* variables), and reading them with okta.yaml profiles in between:
 * flag > environment > `awscli.profiles.<profile>.<flag>` in ~/.okta/okta.yaml > default.
 * (okta-aws-cli lets okta.yaml override the command line; we do not.)
 *
 * Its `-b` and `-d` short letters are our global `--backend` and `--debug`, so `--open-browser`,
 * `--private-key-file` and `--debug-api-calls` are long-only here.
 *
 * No imports beyond types and the format table (a pure module beside aws/credentials.ts, which
 * the cache hit loads anyway): this sits in the command tree, on the cache-hit path.
 *
 * @module
 */

import { UsageError } from "../../errors.ts";
import {
  type ArgSpec,
  defineFlags,
  type FlagValue,
  type FlagValues,
  type ParsedCommand,
} from "../framework/command.ts";
import type { OutputStyle } from "../../app/okta_aws_cli/aws_cli_output.ts";
import { OUTPUT_FORMATS, type OutputFormat } from "../../aws/okta_aws_cli_formats.ts";

/** The positional arguments of `web` and `m2m`: the command `--exec` runs. */
export const AWS_CLI_ARGS: readonly ArgSpec[] = [{
  name: "command",
  variadic: true,
  complete: "command",
  description: "With --exec: the command, after --",
}];

const env = (...names: string[]) => names.map((name) => `OKTA_AWSCLI_${name}`);

/** Flags common to `web` and `m2m`. */
export const AWS_CLI_FLAGS = defineFlags([
  {
    name: "org-domain",
    short: "o",
    type: "string",
    valueName: "DOMAIN",
    description: "Okta domain, e.g. acme.okta.com",
    env: [...env("ORG_DOMAIN"), "OKTA_ORG_DOMAIN"],
  },
  {
    name: "oidc-client-id",
    short: "c",
    type: "string",
    valueName: "ID",
    description: "Client id of the Okta OIDC app",
    env: [...env("OIDC_CLIENT_ID"), "OKTA_OIDC_CLIENT_ID"],
  },
  {
    name: "aws-iam-role",
    short: "r",
    type: "string",
    valueName: "ARN",
    description: "IAM role to assume (ARN, or its okta.yaml label)",
    env: env("IAM_ROLE"),
  },
  {
    name: "aws-session-duration",
    short: "s",
    type: "integer",
    valueName: "SECONDS",
    description: "Session duration in seconds",
    env: env("SESSION_DURATION"),
  },
  {
    name: "session-duration",
    type: "integer",
    description: "Deprecated name of --aws-session-duration",
    hidden: true,
  },
  {
    name: "profile",
    short: "p",
    type: "string",
    valueName: "NAME",
    description: "Profile name in the credentials file, and the okta.yaml profile to apply",
    env: env("PROFILE"),
    default: "default",
  },
  {
    name: "format",
    short: "f",
    type: "string",
    values: OUTPUT_FORMATS,
    valueName: "FORMAT",
    description: "Output format",
    env: env("FORMAT"),
    default: "env-var",
  },
  {
    name: "aws-region",
    short: "n",
    type: "string",
    valueName: "REGION",
    description: "AWS region for STS (and the credentials file)",
    env: env("AWS_REGION"),
  },
  {
    name: "aws-credentials",
    short: "w",
    type: "string",
    valueName: "PATH",
    description: "Credentials file (default: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)",
    env: env("AWS_CREDENTIALS"),
    complete: "file",
  },
  {
    name: "write-aws-credentials",
    short: "z",
    type: "boolean",
    description: "Update the profile in the credentials file (in place)",
    env: env("WRITE_AWS_CREDENTIALS"),
  },
  {
    name: "legacy-aws-variables",
    short: "l",
    type: "boolean",
    description: "Also write aws_security_token / AWS_SECURITY_TOKEN",
    env: env("LEGACY_AWS_VARIABLES"),
  },
  {
    name: "expiry-aws-variables",
    short: "x",
    type: "boolean",
    description: "Also write x_security_token_expires to the credentials file",
    env: env("EXPIRY_AWS_VARIABLES"),
  },
  {
    name: "exec",
    short: "j",
    type: "boolean",
    description: 'Run the command after "--" with the credentials in its environment',
    env: env("EXEC"),
  },
  {
    name: "debug-labels",
    short: "g",
    type: "boolean",
    description: "okta-aws-cli's -g/--debug: same as --debug",
    env: env("DEBUG"),
    hidden: true,
  },
  {
    name: "debug-api-calls",
    type: "boolean",
    description: "Accepted for okta-aws-cli; same as --debug (nothing secret is ever dumped)",
    env: env("DEBUG_API_CALLS"),
    hidden: true,
  },
  {
    name: "short-user-agent",
    short: "y",
    type: "boolean",
    description: 'Send "okta-aws-cli" as the User-Agent to Okta, for policy rules written for okta-aws-cli',
    env: env("DEBUG_SHORT_USER_AGENT"),
  },
  {
    name: "cache-access-token",
    short: "e",
    type: "boolean",
    description:
      "Accepted for okta-aws-cli: web always keeps the Okta tokens (in the keyring when one is usable)",
    env: env("CACHE_ACCESS_TOKEN"),
  },
]);

/**
 * Which program the user ran: "aws-okta", or "okta-aws-cli" when the binary is run under that name
 * (okta-aws-cli's short letters, default command and byte-for-byte output).
 */
export type CliMode = OutputStyle;

/**
 * The output format: `--format`, switched from env-var to aws-credentials by
 * `--write-aws-credentials` (and `--all-profiles`), as okta-aws-cli does.
 */
export function formatOf(read: FlagReader<AwsCliFlagName>, writesFile: boolean): OutputFormat {
  const value = read.string("format") ?? "env-var";
  const format = OUTPUT_FORMATS.find((name) => name === value);
  if (!format) {
    throw new UsageError(`invalid format "${value}" in okta.yaml: use one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  return writesFile && format === "env-var" ? "aws-credentials" : format;
}

/** The long names of {@linkcode AWS_CLI_FLAGS}. */
export type AwsCliFlagName = keyof FlagValues<typeof AWS_CLI_FLAGS>;

/**
 * Reads flag values with an okta.yaml profile between the environment and the defaults. `N` are
 * the flag names it may be asked for (from the command's declaration), so a misspelt one fails to
 * compile.
 */
export interface FlagReader<N extends string = string> {
  string(name: N): string | undefined;
  boolean(name: N): boolean;
  integer(name: N): number | undefined;
}

/** A {@linkcode FlagReader} over the parsed command and the okta.yaml profile's values. */
export function flagReader<N extends string>(
  input: ParsedCommand,
  yamlProfile: Record<string, string>,
): FlagReader<N> {
  const raw = (name: string): FlagValue | string | undefined => {
    const source = input.sources[name];
    if (source === "flag" || source?.startsWith("env:")) return input.flags[name];
    if (Object.hasOwn(yamlProfile, name)) return yamlProfile[name];
    return input.flags[name];
  };
  return {
    string(name) {
      const value = raw(name);
      return typeof value === "string" && value !== ""
        ? value
        : typeof value === "number"
        ? String(value)
        : undefined;
    },
    boolean(name) {
      const value = raw(name);
      return value === true || (typeof value === "string" && /^(1|t|true|yes|on)$/i.test(value));
    },
    integer(name) {
      const value = raw(name);
      if (typeof value === "number") return value;
      if (typeof value !== "string" || value === "") return undefined;
      if (!/^\d+$/.test(value)) {
        throw new UsageError(`invalid value "${value}" for ${name} in okta.yaml: use a whole number`);
      }
      return Number(value);
    },
  };
}

/** The command after `--`, required with `--exec` and refused without it. */
export function execCommandOf(
  input: ParsedCommand,
  exec: boolean,
  usage: string,
): { command: string; args: string[] } | undefined {
  const [command, ...args] = input.rest;
  if (exec && !command) throw new UsageError('--exec needs a command after "--"', { usage });
  if (!exec && command) {
    throw new UsageError(`unexpected arguments "${input.rest.join(" ")}"`, {
      hint: 'to run a command with the credentials, add --exec and put the command after "--"',
      usage,
    });
  }
  return command ? { command, args } : undefined;
}

/** The credentials file: the flag, else AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials ("~" expanded). */
export function credentialsFileOf(
  value: string | undefined,
  envValue: string | undefined,
  home: string,
): string {
  const path = value ?? envValue ?? "~/.aws/credentials";
  return path === "~" ? home : path.startsWith("~/") ? `${home}/${path.slice(2)}` : path;
}
