/**
 * Delivering credentials the way okta-aws-cli's `--format` does, minus its known faults:
 *
 * - `env-var`: okta-aws-cli's `export NAME=value` lines on stdout; on Windows, PowerShell `$Env:`
 *   lines as aws-okta (`setx`, which persists the keys and leaves the current shell without them,
 *   only under the name okta-aws-cli);
 * - `aws-credentials`: the profile's section of the credentials file updated in place (never a
 *   duplicate section appended), every other byte kept, atomic replace, mode 0600;
 * - `process-credentials`: okta-aws-cli's credential_process JSON (key order, 2-space indent; no
 *   trailing newline under the name okta-aws-cli);
 * - `noop`: nothing.
 *
 * `--write-aws-credentials` writes the file whatever the format; `--exec` runs the command with the
 * credentials in its full environment and returns its exit code.
 *
 * @module
 */

import type { AwsCredentials } from "../../aws/credentials.ts";
import { childEnv } from "../../aws/formats.ts";
import { exportLines } from "../../ui/shell_quote.ts";
import { envVarLines, type OutputFormat, processCredentialsJson } from "../../aws/okta_aws_cli_formats.ts";
import type { AppContext } from "../context.ts";
import { writeCredentialsFile } from "../credentials_file.ts";
import { lockDir } from "../lock_dir.ts";
import { runChild } from "../exec/exec.ts";

/** Whose conventions to follow where aws-okta and okta-aws-cli differ (the program's name). */
export type OutputStyle = "aws-okta" | "okta-aws-cli";

/** How to deliver. */
export interface OutputOptions {
  format: OutputFormat;
  /** "okta-aws-cli" when run under that name. */
  style: OutputStyle;
  /** Section of the credentials file. */
  profile: string;
  /** The credentials file (`--aws-credentials`). */
  credentialsFile: string;
  /** `--write-aws-credentials`: also (or only) write the file. */
  writeCredentials: boolean;
  /** `--legacy-aws-variables`: aws_security_token / AWS_SECURITY_TOKEN too. */
  legacy: boolean;
  /** `--expiry-aws-variables`: x_security_token_expires in the file. */
  expiry: boolean;
  /** `--aws-region`, written to the file and the child's environment. */
  region?: string;
  /** `--exec`: the command after "--". */
  exec?: { command: string; args: readonly string[] };
}

/** Writes to stdout (the CLI's writer). */
export type Stdout = (text: string) => void;

/** Delivers one set of credentials; returns the child's exit code for `--exec`. */
export async function deliverCredentials(
  ctx: AppContext,
  creds: AwsCredentials,
  options: OutputOptions,
  stdout: Stdout,
): Promise<number | undefined> {
  if (options.writeCredentials || options.format === "aws-credentials") {
    const { commented } = await writeCredentialsFile({
      path: options.credentialsFile,
      section: options.profile,
      creds,
      securityToken: options.legacy,
      expiryKey: options.expiry ? "x_security_token_expires" : false,
      // Left live, an earlier run's token or expiry would go stale next to fresh keys.
      commentOut: [
        ...(options.legacy ? [] : ["aws_security_token"]),
        ...(options.expiry ? [] : ["x_security_token_expires"]),
      ],
      ...(options.region ? { region: options.region } : {}),
      lockDir: lockDir(ctx.env, ctx.home),
    });
    if (commented.length > 0) {
      ctx.prompter.say(
        `WARNING: Commented out "${options.profile}" profile keys "${
          commented.join('", "')
        }". Uncomment if third party tools use these values.`,
      );
    }
    ctx.prompter.say(
      `Updated profile "${options.profile}" in credentials file "${options.credentialsFile}".`,
    );
  }
  const vars = credentialVars(creds, options.legacy);
  if (options.exec) {
    const extra = options.region ? { AWS_REGION: options.region, AWS_DEFAULT_REGION: options.region } : {};
    return await runChild({
      command: options.exec.command,
      args: options.exec.args,
      env: childEnv(ctx.env.toObject(), { ...vars, ...extra }),
    });
  }
  switch (options.format) {
    case "env-var": {
      const windows = Deno.build.os === "windows";
      stdout(
        windows && options.style === "aws-okta"
          ? exportLines(vars, "powershell")
          : envVarLines(vars, windows),
      );
      break;
    }
    case "process-credentials":
      stdout(processCredentialsJson(creds) + (options.style === "okta-aws-cli" ? "" : "\n"));
      break;
    case "aws-credentials":
    case "noop":
      break;
  }
  return undefined;
}

/** The three key variables (plus AWS_SECURITY_TOKEN when asked). */
export function credentialVars(creds: AwsCredentials, legacy: boolean): Record<string, string> {
  const vars: Record<string, string> = {
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_SESSION_TOKEN: creds.sessionToken,
  };
  if (legacy) vars.AWS_SECURITY_TOKEN = creds.sessionToken;
  return vars;
}
