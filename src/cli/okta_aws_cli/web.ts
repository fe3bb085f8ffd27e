/**
 * `aws-okta web`: okta-aws-cli's `web` command (same flags and OKTA_AWSCLI_* variables, okta.yaml
 * labels and profiles), so its users switch by replacing the command name.
 *
 * @module
 */

import { UsageError } from "../../errors.ts";
import { AWS_CLI_ARGS, AWS_CLI_FLAGS, type CliMode } from "./flags.ts";
import { defineCommand, defineFlags, type FlagValues, type ParsedCommand } from "../framework/command.ts";
import { writeStdout } from "../output.ts";

const USAGE = "aws-okta web [flags] [--exec -- <command> [args...]]";

/** The flags of `web`: the shared ones and its own. */
const WEB_FLAGS = defineFlags([
  ...AWS_CLI_FLAGS,
  {
    name: "aws-acct-fed-app-id",
    short: "a",
    type: "string",
    valueName: "ID",
    description: "The AWS Account Federation app's id (else found through your Okta apps)",
    env: ["OKTA_AWSCLI_AWS_ACCOUNT_FEDERATION_APP_ID", "OKTA_AWS_ACCOUNT_FEDERATION_APP_ID"],
  },
  {
    name: "aws-iam-idp",
    short: "i",
    type: "string",
    valueName: "ARN",
    description: "IAM identity provider (ARN, or its okta.yaml label)",
    env: ["OKTA_AWSCLI_IAM_IDP"],
  },
  {
    name: "qr-code",
    short: "q",
    type: "boolean",
    description: "Also print a QR code of the sign-in URL",
    env: ["OKTA_AWSCLI_QR_CODE"],
  },
  {
    name: "open-browser",
    type: "boolean",
    description: "Open the sign-in URL in a browser",
    env: ["OKTA_AWSCLI_OPEN_BROWSER"],
  },
  {
    name: "open-browser-command",
    short: "m",
    type: "string",
    valueName: "COMMAND",
    description: "Command that opens the URL (appended as its last argument); implies --open-browser",
    env: ["OKTA_AWSCLI_OPEN_BROWSER_COMMAND"],
  },
  {
    name: "all-profiles",
    short: "k",
    type: "boolean",
    description: "Every role of every AWS app, each to its own profile in the credentials file",
    env: ["OKTA_AWSCLI_ALL_PROFILES"],
  },
]);

/** The web command. */
export const webCommand = defineCommand({
  name: "web",
  summary: "okta-aws-cli's web flow: device sign-in, then credentials in okta-aws-cli's formats",
  description:
    "web signs in with the OIDC device flow (Okta Identity Engine), gets a SAML assertion for the AWS app\n" +
    "and prints or stores the credentials like okta-aws-cli. The Okta tokens stay in your keyring, so the\n" +
    "browser opens again only when they and the refresh token have run out.\n\n" +
    "okta-aws-cli's -b (--open-browser) and -d (--debug-api-calls) are aws-okta's --backend and --debug:\n" +
    "use the long names.",
  args: AWS_CLI_ARGS,
  passthrough: true,
  flags: WEB_FLAGS,
  examples: [
    {
      description: "Export lines for your shell",
      command: 'eval "$(aws-okta web --org-domain acme.okta.com --oidc-client-id 0oa9cli...)"',
    },
    {
      description: "Update [prod] in ~/.aws/credentials",
      command: "aws-okta web -o acme.okta.com -c 0oa9cli... -r <role ARN> -p prod --write-aws-credentials",
    },
    {
      description: "Run a command",
      command: "aws-okta web -o acme.okta.com -c 0oa9cli... --exec -- aws s3 ls",
    },
  ],
  action: (input) => runWebCommand(input, "aws-okta"),
});

/** Runs `web` as aws-okta (`mode` "aws-okta") or as okta-aws-cli under that name. */
export async function runWebCommand(input: ParsedCommand, mode: CliMode): Promise<number> {
  // okta-aws-cli takes web as its default command: its users type neither name.
  const usage = mode === "okta-aws-cli" ? USAGE.replace("aws-okta web", "okta-aws-cli [web]") : USAGE;
  const { startAwsCliCommand } = await import("./invocation.ts");
  const { ctx, read, yaml, orgDomain, clientId, region, exec, shortUserAgent, output } =
    await startAwsCliCommand<keyof FlagValues<typeof WEB_FLAGS>>(
      input,
      usage,
      mode,
    );
  const allProfiles = read.boolean("all-profiles");
  const writeCredentials = read.boolean("write-aws-credentials") || allProfiles;
  if (allProfiles && exec) {
    throw new UsageError("--all-profiles and --exec cannot be combined", { usage });
  }
  const openBrowserCommand = read.string("open-browser-command");
  const appId = read.string("aws-acct-fed-app-id");
  const idp = read.string("aws-iam-idp");
  const role = read.string("aws-iam-role");
  const duration = read.integer("aws-session-duration") ?? read.integer("session-duration");
  const { runWeb } = await import("../../app/okta_aws_cli/web.ts");
  return await runWeb(ctx, {
    orgDomain,
    clientId,
    ...(appId ? { appId } : {}),
    ...(idp ? { idp } : {}),
    ...(role ? { role } : {}),
    ...(duration !== undefined ? { sessionDuration: duration } : {}),
    ...(region ? { region } : {}),
    openBrowser: read.boolean("open-browser") || openBrowserCommand !== undefined,
    ...(openBrowserCommand ? { openBrowserCommand } : {}),
    qrCode: read.boolean("qr-code"),
    shortUserAgent,
    allProfiles,
    yaml,
    output: output(writeCredentials),
  }, writeStdout);
}
