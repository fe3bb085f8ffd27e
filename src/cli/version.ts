/**
 * `aws-okta version`: the version of aws-okta and of the Deno runtime under it.
 *
 * @module
 */

import { VERSION } from "../version.ts";
import { defineCommand } from "./framework/command.ts";
import { writeStdout } from "./output.ts";

/** The text `version` and `--version` print. */
export function versionText(): string {
  return `aws-okta ${VERSION} (deno ${Deno.version.deno}, v8 ${Deno.version.v8}, ${Deno.build.target})\n`;
}

/** The version command. */
export const versionCommand = defineCommand({
  name: "version",
  summary: "Print the version",
  description:
    "version prints aws-okta's version and those of the Deno runtime and V8 under it (also: --version).",
  examples: [{ description: "For a bug report", command: "aws-okta version" }],
  action: () => {
    writeStdout(versionText());
    return Promise.resolve();
  },
});
