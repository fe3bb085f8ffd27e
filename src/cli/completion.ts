/**
 * `aws-okta completion bash|zsh|fish|powershell`: prints a shell completion script; and the
 * hidden `aws-okta completion suggest`, which those scripts call to learn what can come next.
 *
 * @module
 */

import { type CommandSpec, defineCommand, loadCommands } from "./framework/command.ts";
import { writeStdout } from "./output.ts";

/** Shells with a completion script. The scripts themselves load only when asked for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish", "powershell"] as const;
/** One of {@linkcode COMPLETION_SHELLS}. */
export type CompletionShell = typeof COMPLETION_SHELLS[number];

/** `completion suggest`: the candidates for the word under the cursor (see complete_words.ts). */
const suggestCommand = defineCommand({
  name: "suggest",
  summary: "Print completion candidates for a command line (used by the completion scripts)",
  hidden: true,
  flags: [{ name: "current", type: "string", valueName: "WORD", description: "The word under the cursor" }],
  args: [{ name: "words", variadic: true, description: "The words before it, after --" }],
  passthrough: true,
  action: async (input) => {
    const { completeWords, formatCompletion } = await import("./framework/complete_words.ts");
    const { rootCommand } = await import("./root.ts");
    await loadCommands(rootCommand); // every command's flags and arguments
    const current = input.flags.current ?? "";
    const { BACKENDS } = await import("../keyring/select.ts");
    const profiles = await profileLister();
    const completion = completeWords(rootCommand as CommandSpec, [...input.rest, current], {
      profiles,
      backends: BACKENDS,
    });
    writeStdout(formatCompletion(completion));
  },
});

/** The completion command. */
export const completionCommand = defineCommand({
  name: "completion",
  summary: "Print a shell completion script",
  description:
    "completion prints a completion script for bash, zsh, fish or PowerShell. The script completes\n" +
    "commands, flags, flag values (backends, MFA providers, shells) and the profile names of your AWS\n" +
    "config, asking aws-okta itself each time, so it always matches the installed version.",
  args: [{
    name: "shell",
    required: true,
    values: COMPLETION_SHELLS,
    description: `One of ${COMPLETION_SHELLS.join(", ")}`,
  }],
  subcommands: [suggestCommand],
  examples: [
    { description: "bash (in ~/.bashrc)", command: "source <(aws-okta completion bash)" },
    { description: "zsh (in ~/.zshrc, after compinit)", command: "source <(aws-okta completion zsh)" },
    { description: "fish", command: "aws-okta completion fish > ~/.config/fish/completions/aws-okta.fish" },
    {
      description: "PowerShell (in $PROFILE)",
      command: "aws-okta completion powershell | Out-String | Invoke-Expression",
    },
  ],
  action: async (input) => {
    const { completionScript } = await import("./completion_scripts.ts");
    writeStdout(completionScript(input.args.shell));
  },
});

/** Loads what reading profile names needs; the names are read only if a profile is wanted. */
async function profileLister(): Promise<() => string[]> {
  const { configPath, loadAwsConfigSync } = await import("../config/aws_config.ts");
  const { listProfiles } = await import("../app/list.ts");
  const { processEnv, homeDir } = await import("./context.ts");
  return () => {
    const config = loadAwsConfigSync(configPath(processEnv, homeDir(processEnv)));
    return listProfiles(config).profiles.map((profile) => profile.name);
  };
}
