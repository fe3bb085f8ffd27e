/**
 * `aws-okta m2m`: okta-aws-cli's `m2m` command: private key JWT client credentials against a custom
 * authorization server, then AssumeRoleWithWebIdentity, in okta-aws-cli's output formats.
 *
 * @module
 */

import { UsageError } from "../../errors.ts";
import { AWS_CLI_ARGS, AWS_CLI_FLAGS, type CliMode } from "./flags.ts";
import { defineCommand, defineFlags, type FlagValues, type ParsedCommand } from "../framework/command.ts";
import { writeStdout } from "../output.ts";

const USAGE = "aws-okta m2m [flags] [--exec -- <command> [args...]]";

/** The flags of `m2m`: the shared ones and its own. */
const M2M_FLAGS = defineFlags([
  ...AWS_CLI_FLAGS,
  {
    name: "key-id",
    short: "i",
    type: "string",
    valueName: "KID",
    description: "Id (kid) of the key in the app's public keys",
    env: ["OKTA_AWSCLI_KEY_ID"],
  },
  {
    name: "private-key",
    short: "k",
    type: "string",
    valueName: "PEM",
    description: 'The private key in PEM form ("\\n" allowed for line breaks)',
    env: ["OKTA_AWSCLI_PRIVATE_KEY"],
  },
  {
    name: "private-key-file",
    type: "string",
    valueName: "PATH",
    description: "File with the private key in PEM form",
    env: ["OKTA_AWSCLI_PRIVATE_KEY_FILE"],
    complete: "file",
  },
  {
    name: "custom-scope",
    short: "m",
    type: "string",
    valueName: "SCOPE",
    description: "Scope to ask the authorization server for",
    env: ["OKTA_AWSCLI_CUSTOM_SCOPE"],
    default: "okta-m2m-access",
  },
  {
    name: "authz-id",
    short: "u",
    type: "string",
    valueName: "ID",
    description: "Id of the custom authorization server",
    env: ["OKTA_AWSCLI_AUTHZ_ID"],
    default: "default",
  },
  {
    name: "aws-sts-role-session-name",
    short: "q",
    type: "string",
    valueName: "NAME",
    description: "RoleSessionName of the assumed role",
    env: ["OKTA_AWSCLI_STS_ROLE_SESSION_NAME"],
    default: "okta-aws-cli",
  },
]);

/** The m2m command. */
export const m2mCommand = defineCommand({
  name: "m2m",
  summary: "okta-aws-cli's m2m flow: private key JWT client credentials, then AssumeRoleWithWebIdentity",
  description:
    "m2m gets an access token for an Okta API service app with a private key JWT (RS256, or ES256/384/512\n" +
    "for EC keys; PEM in PKCS#1, PKCS#8 or SEC1 form) from a custom authorization server, and exchanges it\n" +
    "for AWS credentials with AssumeRoleWithWebIdentity. No browser, no person: for CI and services.\n\n" +
    "okta-aws-cli's -b (--private-key-file) is aws-okta's --backend: use the long name.",
  args: AWS_CLI_ARGS,
  passthrough: true,
  flags: M2M_FLAGS,
  examples: [
    {
      description: "CI job",
      command:
        "aws-okta m2m -o acme.okta.com -c 0oa9m2m... -i kid1 --private-key-file key.pem -r <role ARN> --exec -- terraform apply",
    },
  ],
  action: (input) => runM2mCommand(input, "aws-okta"),
});

/** Runs `m2m` as aws-okta (`mode` "aws-okta") or as okta-aws-cli under that name. */
export async function runM2mCommand(input: ParsedCommand, mode: CliMode): Promise<number> {
  // okta-aws-cli takes web as its default command: its users type neither name.
  const usage = mode === "okta-aws-cli" ? USAGE.replace("aws-okta m2m", "okta-aws-cli m2m") : USAGE;
  const { startAwsCliCommand, required } = await import("./invocation.ts");
  const { ctx, read, orgDomain, clientId, region, shortUserAgent, output } = await startAwsCliCommand<
    keyof FlagValues<typeof M2M_FLAGS>
  >(
    input,
    usage,
    mode,
  );
  const roleArn = required(read.string("aws-iam-role"), "aws-iam-role", "OKTA_AWSCLI_IAM_ROLE", usage);
  const privateKey = read.string("private-key");
  const privateKeyFile = read.string("private-key-file");
  if (!privateKey && !privateKeyFile) {
    throw new UsageError("missing --private-key-file or --private-key", {
      hint: "pass one, or set OKTA_AWSCLI_PRIVATE_KEY_FILE or OKTA_AWSCLI_PRIVATE_KEY",
      usage,
    });
  }
  const keyId = read.string("key-id");
  const { runM2m } = await import("../../app/okta_aws_cli/m2m.ts");
  return await runM2m(ctx, {
    orgDomain,
    clientId,
    ...(keyId ? { keyId } : {}),
    ...(privateKey ? { privateKey } : {}),
    ...(privateKeyFile ? { privateKeyFile } : {}),
    scope: read.string("custom-scope") ?? "okta-m2m-access",
    authzId: read.string("authz-id") ?? "default",
    roleArn,
    sessionName: read.string("aws-sts-role-session-name") ?? "okta-aws-cli",
    sessionDuration: read.integer("aws-session-duration") ?? read.integer("session-duration") ?? 3600,
    ...(region ? { region } : {}),
    shortUserAgent,
    output: output(read.boolean("write-aws-credentials")),
  }, writeStdout);
}
