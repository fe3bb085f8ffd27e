/**
 * Where aws-okta keeps its lock files (src/fs/lock.ts locks them).
 *
 * @module
 */

import type { Env } from "./context.ts";

/** The lock directory: AWS_OKTA_LOCK_DIR, else the user's cache directory + "aws-okta/locks". */
export function lockDir(env: Env, home: string): string {
  const explicit = env.get("AWS_OKTA_LOCK_DIR");
  if (explicit) return explicit;
  if (Deno.build.os === "windows") {
    return `${env.get("LOCALAPPDATA") ?? `${home}\\AppData\\Local`}\\aws-okta\\locks`;
  }
  if (Deno.build.os === "darwin") return `${home}/Library/Caches/aws-okta/locks`;
  return `${env.get("XDG_CACHE_HOME") || `${home}/.cache`}/aws-okta/locks`;
}
