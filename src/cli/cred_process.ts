/**
 * `aws-okta cred-process <profile>`: credential_process JSON for the AWS CLI and SDKs. Nothing but
 * the JSON is ever written to stdout.
 *
 * @module
 */

import { defineCommand } from "./command.ts";
import { CREDENTIAL_FLAGS, credentialRequest } from "./credential_flags.ts";
import { appContext } from "./context.ts";
import { writeStdout } from "./output.ts";

/** The cred-process command. */
export const credProcessCommand = defineCommand({
  name: "cred-process",
  summary: "Print credentials as credential_process JSON",
  description:
    "cred-process prints the profile's credentials in the JSON the AWS CLI and SDKs read from a\n" +
    "credential_process. Cached sessions are reused until 5 minutes before they expire.",
  args: [{ name: "profile", required: true, complete: "profile", description: "Profile in your AWS config" }],
  flags: [
    ...CREDENTIAL_FLAGS,
    { name: "pretty", short: "p", type: "boolean", description: "Pretty-print the JSON" },
  ],
  examples: [
    {
      description: "In ~/.aws/config",
      command: "[profile okta-dev]\ncredential_process = aws-okta cred-process okta-dev",
    },
    {
      description: "Choose the MFA factor",
      command: "aws-okta cred-process --mfa-provider okta --mfa-factor-type push okta-dev",
    },
  ],
  action: async (input) => {
    const ctx = appContext(input, "tty");
    const { getCredentials } = await import("../app/credentials.ts");
    const { credentialProcessJson } = await import("../aws/formats.ts");
    const result = await getCredentials(ctx, credentialRequest(input));
    writeStdout(credentialProcessJson(result.credentials, input.flags["pretty"] === true));
  },
});
