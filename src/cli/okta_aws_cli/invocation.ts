/**
 * What `web` and `m2m` do alike before their use cases run: read ~/.okta/okta.yaml, read the flags
 * with its profile in between, build the context (okta-aws-cli's debug flags switch on `--debug`),
 * require the org and client, and assemble the output options.
 *
 * Imported by the two actions only when they run.
 *
 * @module
 */

import { UsageError } from "../../errors.ts";
import type { AppContext } from "../../app/context.ts";
import type { OutputOptions } from "../../app/okta_aws_cli/aws_cli_output.ts";
import type { OktaYaml } from "../../config/okta_yaml.ts";
import {
  type AwsCliFlagName,
  type CliMode,
  credentialsFileOf,
  execCommandOf,
  type FlagReader,
  flagReader,
  formatOf,
} from "./flags.ts";
import type { ParsedCommand } from "../framework/command.ts";
import { appContext, homeDir, processEnv } from "../context.ts";

/** The shared start of a `web` or `m2m` run; `N` are the names of the command's flags. */
export interface AwsCliInvocation<N extends string> {
  ctx: AppContext;
  read: FlagReader<N>;
  yaml: OktaYaml;
  profileName: string;
  orgDomain: string;
  clientId: string;
  region: string | undefined;
  exec: { command: string; args: string[] } | undefined;
  /** `--short-user-agent`: "okta-aws-cli" as the User-Agent of the Okta calls. */
  shortUserAgent: boolean;
  /** The output options, the format switched to aws-credentials when the file is written. */
  output(writeCredentials: boolean): OutputOptions;
}

/**
 * Reads okta.yaml and the flags, and builds the context, for `web` and `m2m`; `N` are the names of
 * the command's own flags, beside the shared ones.
 */
export async function startAwsCliCommand<N extends string>(
  input: ParsedCommand,
  usage: string,
  mode: CliMode,
): Promise<AwsCliInvocation<N | AwsCliFlagName>> {
  const { loadOktaYaml, oktaYamlPath } = await import("../../config/okta_yaml.ts");
  const home = homeDir(processEnv);
  const yaml = await loadOktaYaml(oktaYamlPath(home));
  const profileName = String(input.flags["profile"] ?? "default");
  const read = flagReader<N | AwsCliFlagName>(input, yaml.profiles[profileName] ?? {});
  const ctx = appContext(
    withDebug(input, read.boolean("debug-labels") || read.boolean("debug-api-calls")),
    "tty",
  );
  const orgDomain = required(read.string("org-domain"), "org-domain", "OKTA_AWSCLI_ORG_DOMAIN", usage);
  const clientId = required(
    read.string("oidc-client-id"),
    "oidc-client-id",
    "OKTA_AWSCLI_OIDC_CLIENT_ID",
    usage,
  );
  const region = read.string("aws-region");
  const exec = execCommandOf(input, read.boolean("exec"), usage);
  return {
    ctx,
    read,
    yaml,
    profileName,
    orgDomain,
    clientId,
    region,
    exec,
    shortUserAgent: read.boolean("short-user-agent"),
    output: (writeCredentials) => ({
      format: formatOf(read, writeCredentials),
      style: mode,
      profile: profileName,
      credentialsFile: credentialsFileOf(
        read.string("aws-credentials"),
        ctx.env.get("AWS_SHARED_CREDENTIALS_FILE"),
        ctx.home,
      ),
      writeCredentials,
      legacy: read.boolean("legacy-aws-variables"),
      expiry: read.boolean("expiry-aws-variables"),
      ...(region ? { region } : {}),
      ...(exec ? { exec } : {}),
    }),
  };
}

/** The input with `--debug` on when okta-aws-cli's debug flags ask for it. */
export function withDebug(input: ParsedCommand, debug: boolean): ParsedCommand {
  return debug ? { ...input, flags: { ...input.flags, debug: true } } : input;
}

/** A required value, or a usage error naming the flag and the variable. */
export function required(value: string | undefined, flag: string, variable: string, usage: string): string {
  if (value) return value;
  throw new UsageError(`missing --${flag}`, { hint: `pass --${flag} or set ${variable}`, usage });
}
