/**
 * Opens the AWS console sign-in URL in the user's browser ($BROWSER, else the OS opener; see
 * ui/browser.ts).
 *
 * The URL carries a sign-in token (a credential for 15 minutes): it never appears in an error
 * message, and never on the opener's command line, which every local user can read in
 * /proc/<pid>/cmdline. The opener gets a local page instead (0600, in the user's runtime or temp
 * directory) that sends the browser on to the URL; pages older than the token are removed.
 *
 * @module
 */

import { browserFromEnv, openBrowser } from "../ui/browser.ts";
import type { EnvReader } from "../env.ts";

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
export async function openSignInPage(
  url: string,
  env: EnvReader,
): Promise<void> {
  await openBrowser(await redirectPage(url, env), browserFromEnv(env.get("BROWSER")), {
    wait: true,
    hint: 'use "--stdout" to print the URL instead, or set BROWSER',
  });
}
