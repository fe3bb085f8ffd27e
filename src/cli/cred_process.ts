/**
 * `aws-okta cred-process <profile>`: credential_process JSON for the AWS CLI and SDKs. Nothing but
 * the JSON is ever written to stdout.
 *
 * @module
 */

import { defineCommand } from "./framework/command.ts";
import { CREDENTIAL_FLAGS, credentialRequest } from "./credential_flags.ts";
import { appContext } from "./context.ts";
import { writeStdout } from "./output.ts";
// The cache hit runs on every AWS CLI/SDK call: its modules are static so that they load in one
// round; everything a login needs is imported lazily inside the use case.
import { getCredentials } from "../app/cred_process.ts";
import { credentialProcessJson } from "../aws/formats.ts";

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
    const result = await getCredentials(ctx, credentialRequest(input));
    writeStdout(credentialProcessJson(result.credentials, input.flags.pretty));
  },
});
