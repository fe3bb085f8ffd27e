/**
 * Opens a URL in the user's browser: `$BROWSER` when set (the first of its colon-separated
 * commands, `%s` replaced by the URL or the URL appended), else the OS opener (xdg-open, open,
 * or the URL handler on Windows).
 *
 * The URL may carry a sign-in token (a credential for 15 minutes): it never appears in an error
 * message, and never on the opener's command line, which every local user can read in
 * /proc/<pid>/cmdline. The opener gets a local page instead (0600, in the user's runtime or temp
 * directory) that sends the browser on to the URL; pages older than the token are removed.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { defaultOpener } from "../ui/browser.ts";
import type { EnvReader } from "../env.ts";

/** A program and its arguments. */
export interface OpenerCommand {
  command: string;
  args: string[];
}

/** The command that opens `url`, from $BROWSER or the OS. */
export function openerCommand(
  url: string,
  browser: string | undefined,
  os: string = Deno.build.os,
): OpenerCommand {
  // $BROWSER holds a colon-separated list on Unix (Windows paths contain colons).
  const entry = (os === "windows" ? browser : browser?.split(":")[0])?.trim();
  if (entry) {
    const words = entry.split(/\s+/);
    const replaced = words.map((word) => word.replaceAll("%s", url));
    const args = replaced.slice(1);
    if (!words.some((word) => word.includes("%s"))) args.push(url);
    return { command: replaced[0]!, args };
  }
  const [command, ...args] = defaultOpener(url, os as typeof Deno.build.os);
  return { command: command!, args };
}

/** Sign-in pages are named so; older ones than the token they hold are removed. */
const PAGE_PREFIX = "aws-okta-signin-";
const PAGE_LIFETIME_MS = 15 * 60_000;

/**
 * Writes a page (mode 0600) that sends the browser on to `url`, and returns the page's file URL.
 * The directory is XDG_RUNTIME_DIR when set (private to the user), else the system's temp dir.
 */
export async function redirectPage(
  url: string,
  env: EnvReader,
): Promise<string> {
  const runtime = env.get("XDG_RUNTIME_DIR");
  const dir = runtime && (await isDir(runtime)) ? runtime : undefined;
  const path = await Deno.makeTempFile({ prefix: PAGE_PREFIX, suffix: ".html", ...(dir ? { dir } : {}) });
  await Deno.chmod(path, 0o600).catch(() => {}); // Windows has no modes; makeTempFile is 0600 elsewhere.
  await Deno.writeTextFile(path, pageHtml(url));
  await removeOldPages(path.slice(0, Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))));
  return Deno.build.os === "windows" ? `file:///${path.replaceAll("\\", "/")}` : `file://${path}`;
}

/** The page: a refresh and a script both go on to `url`; no referrer leaves with it. */
function pageHtml(url: string): string {
  const attribute = url.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
  const script = JSON.stringify(url).replaceAll("<", "\\u003c");
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${attribute}">
<title>Signing in…</title><script>location.replace(${script});</script></head>
<body><a href="${attribute}">Continue</a></body></html>
`;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** Removes this user's sign-in pages whose token has expired. */
async function removeOldPages(dir: string): Promise<void> {
  const cutoff = Date.now() - PAGE_LIFETIME_MS;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.startsWith(PAGE_PREFIX) || !entry.name.endsWith(".html")) continue;
      const path = `${dir}/${entry.name}`;
      try {
        if (((await Deno.stat(path)).mtime?.getTime() ?? Infinity) < cutoff) await Deno.remove(path);
      } catch {
        // Another user's page (a shared /tmp), or removed meanwhile: not ours.
      }
    }
  } catch {
    // The directory cannot be listed: the pages stay until the system clears it.
  }
}

/**
 * Runs the opener on a local page that goes on to `url`, and waits for it; failures say to print
 * the URL instead.
 */
export async function openBrowser(
  url: string,
  env: EnvReader,
): Promise<void> {
  const { command, args } = openerCommand(await redirectPage(url, env), env.get("BROWSER"));
  const hint = 'use "--stdout" to print the URL instead, or set BROWSER';
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "piped" })
      .output();
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "command not found"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : "it could not be started";
    throw new AppError(`cannot open a browser with "${command}": ${reason}`, { hint, cause: error });
  }
  if (!output.success) {
    throw new AppError(`cannot open a browser: "${command}" exited with status ${output.code}`, { hint });
  }
}
