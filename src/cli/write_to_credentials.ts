/**
 * `aws-okta write-to-credentials <profile> <file>`: writes the profile's credentials into a shared
 * credentials file, for tools that read nothing else.
 *
 * @module
 */

import { defineCommand } from "./framework/command.ts";
import { CREDENTIAL_FLAGS, credentialRequest } from "./credential_flags.ts";
import { appContext } from "./context.ts";

/** The write-to-credentials command. */
export const writeToCredentialsCommand = defineCommand({
  name: "write-to-credentials",
  summary: "Write the profile's credentials into an AWS credentials file",
  description: "write-to-credentials sets aws_access_key_id, aws_secret_access_key, aws_session_token,\n" +
    "aws_security_token and x_security_token_expires in the [<profile>] section of the file. Every other\n" +
    "byte of the file (comments, order, spacing, other sections) is kept; the file is replaced atomically\n" +
    "with mode 0600. A missing file is created (aws-okta refused); a read-only one is refused.\n\n" +
    "The keys stop working when they expire: run the command again, or prefer cred-process.",
  args: [
    { name: "profile", required: true, complete: "profile", description: "Profile in your AWS config" },
    { name: "file", required: true, complete: "file", description: "Credentials file to update" },
  ],
  flags: CREDENTIAL_FLAGS,
  examples: [
    {
      description: "For a tool that reads only ~/.aws/credentials",
      command: "aws-okta write-to-credentials okta-dev ~/.aws/credentials",
    },
  ],
  action: async (input) => {
    const ctx = appContext(input, "tty");
    const { writeToCredentials } = await import("../app/write_to_credentials.ts");
    const { formatExpiration } = await import("../aws/credentials.ts");
    const written = await writeToCredentials(ctx, credentialRequest(input), input.args.file);
    ctx.prompter.say(
      `${written.created ? "Created" : "Updated"} [${written.section}] in "${written.path}"; ` +
        `the credentials expire at ${formatExpiration(written.expiration)}`,
    );
  },
});
