/**
 * The launcher as users install it: `make install PREFIX=<temp>` once per test process (or the one
 * AWS_OKTA_E2E_BIN names), for tests where a real parent (the AWS CLI, a shell, a terminal) runs it.
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url).pathname;

let installed: Promise<string> | undefined;

/** The path of an installed `aws-okta` launcher; its directory goes first on PATH. */
export function installedLauncher(): Promise<string> {
  return installed ??= (async () => {
    const given = Deno.env.get("AWS_OKTA_E2E_BIN");
    if (given) return given;
    const prefix = await Deno.makeTempDir({ prefix: "aws-okta-install-" });
    const output = await new Deno.Command("make", {
      args: ["--no-print-directory", "-C", ROOT, "install", `PREFIX=${prefix}`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`make install failed:\n${new TextDecoder().decode(output.stderr)}`);
    }
    return `${prefix}/bin/aws-okta`;
  })();
}
