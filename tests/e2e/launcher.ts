/**
 * An `aws-okta` executable on PATH for tests where another program runs aws-okta (shell
 * completion scripts, kubectl's exec plugin, a child of `exec`): a shell script that runs the
 * sources with the launcher's permission set, like `make install` does.
 *
 * @module
 */

import { CONFIG, MAIN, type World } from "./harness.ts";

/**
 * Writes `<home>/bin/<name>` and returns the bin directory (put it first on PATH). With
 * AWS_OKTA_E2E_BIN (an installed launcher, as the harness uses it), the script runs that instead
 * (for okta-aws-cli, the link `make install` puts beside it); from the sources, the script tells
 * its own name through AWS_OKTA_ARGV0 as the installed link does.
 */
export async function installLauncher(
  world: World,
  name: "aws-okta" | "okta-aws-cli" = "aws-okta",
): Promise<string> {
  const bin = `${world.home}/bin`;
  await Deno.mkdir(bin, { recursive: true });
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  const installed = Deno.env.get("AWS_OKTA_E2E_BIN");
  await Deno.writeTextFile(
    `${bin}/${name}`,
    installed
      ? `#!/bin/sh\nexec ${quote(installed.replace(/aws-okta$/, name))} "$@"\n`
      : `#!/bin/sh\nAWS_OKTA_ARGV0="$0" exec ${quote(Deno.execPath())} run -q -P=aws-okta --config ${
        quote(CONFIG)
      } ${quote(MAIN)} "$@"\n`,
  );
  await Deno.chmod(`${bin}/${name}`, 0o755);
  return bin;
}

/** The world's environment with the launcher's directory first on PATH. */
export function envWithLauncher(world: World, bin: string): Record<string, string> {
  return { ...world.env, PATH: `${bin}:${world.env.PATH ?? "/usr/bin:/bin"}` };
}
