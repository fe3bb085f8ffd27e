/**
 * `aws-okta env <profile>`: the exec variables as shell lines to eval.
 *
 * @module
 */

import { defineCommand } from "./framework/command.ts";
import { CREDENTIAL_FLAGS, credentialRequest } from "./credential_flags.ts";
import { appContext } from "./context.ts";
import { writeStdout } from "./output.ts";
import { exportLines, SHELLS } from "../ui/shell_quote.ts";

/** The env command. */
export const envCommand = defineCommand({
  name: "env",
  summary: "Print the credentials as shell export lines",
  description:
    "env prints the variables exec would set as POSIX `export NAME=value` lines to be evaluated\n" +
    "(whatever $SHELL is, as Go aws-okta); --shell writes another shell's syntax.",
  args: [{ name: "profile", required: true, complete: "profile", description: "Profile in your AWS config" }],
  flags: [
    ...CREDENTIAL_FLAGS,
    {
      name: "shell",
      type: "string",
      values: SHELLS,
      valueName: "SHELL",
      description: "Shell syntax (default: sh, which bash and zsh read too)",
    },
  ],
  examples: [
    { description: "sh/bash/zsh", command: 'eval "$(aws-okta env okta-dev)"' },
    { description: "fish", command: "aws-okta env --shell fish okta-dev | source" },
    { description: "PowerShell", command: "aws-okta env --shell powershell okta-dev | Invoke-Expression" },
  ],
  action: async (input) => {
    const ctx = appContext(input, "tty");
    const { getCredentials } = await import("../app/cred_process.ts");
    const { credentialVars } = await import("../app/exec/credential_vars.ts");
    const result = await getCredentials(ctx, credentialRequest(input));
    const vars = credentialVars(result);
    writeStdout(exportLines(vars, input.flags.shell ?? "sh"));
  },
});
