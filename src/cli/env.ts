/**
 * `aws-okta env <profile>`: the exec variables as shell lines to eval.
 *
 * @module
 */

import { defineCommand } from "./command.ts";
import { CREDENTIAL_FLAGS, credentialRequest } from "./credential_flags.ts";
import { appContext } from "./context.ts";
import { writeStdout } from "./output.ts";

/** Shells `env` can write for. */
export const SHELLS = ["bash", "zsh", "sh", "fish", "powershell", "cmd"] as const;

/** The env command. */
export const envCommand = defineCommand({
  name: "env",
  summary: "Print the credentials as shell export lines",
  description: "env prints the variables exec would set, quoted for your shell, to be evaluated.",
  args: [{ name: "profile", required: true, complete: "profile", description: "Profile in your AWS config" }],
  flags: [
    ...CREDENTIAL_FLAGS,
    {
      name: "shell",
      type: "string",
      values: SHELLS,
      valueName: "SHELL",
      description: "Shell syntax (default: from $SHELL, else sh; powershell on Windows)",
    },
  ],
  examples: [
    { description: "bash/zsh", command: 'eval "$(aws-okta env okta-dev)"' },
    { description: "fish", command: "aws-okta env --shell fish okta-dev | source" },
  ],
  action: async (input) => {
    const ctx = appContext(input, "tty");
    const { getCredentials } = await import("../app/credentials.ts");
    const { exportLines } = await import("../aws/formats.ts");
    const { credentialVars } = await import("../app/credential_vars.ts");
    const result = await getCredentials(ctx, credentialRequest(input));
    const vars = credentialVars(result);
    const shell = typeof input.flags["shell"] === "string"
      ? input.flags["shell"]
      : defaultShell(ctx.env.get("SHELL"));
    writeStdout(exportLines(vars, shell as typeof SHELLS[number]));
  },
});

/** The shell named by $SHELL when we know its syntax; sh otherwise (powershell on Windows). */
export function defaultShell(shellPath: string | undefined): typeof SHELLS[number] {
  const name = shellPath?.split(/[\\/]/).pop()?.replace(/\.exe$/i, "");
  const known = SHELLS.find((shell) => shell === name);
  if (known) return known;
  if (name === "pwsh") return "powershell";
  return Deno.build.os === "windows" && !shellPath ? "powershell" : "sh";
}
