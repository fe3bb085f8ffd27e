/**
 * The `write-to-credentials` use case: a profile's credentials written into an AWS shared
 * credentials file, for tools that read only that file.
 *
 * The target is checked before any login, so a typo does not cost an MFA prompt. A missing file
 * is created (mode 0600, its directory 0700); an existing one keeps every other byte, and a file
 * the user made read-only is refused rather than replaced.
 *
 * @module
 */

import type { AwsCredentials } from "../aws/credentials.ts";
import { AppError } from "../errors.ts";
import type { AppContext } from "./context.ts";
import { type CredentialRequest, getCredentials } from "./cred_process.ts";
import { writeCredentialsFile } from "./credentials_file.ts";
import { lockDir } from "./lock_dir.ts";

/** What was written. */
export interface WrittenCredentials {
  /** The section name (the profile name). */
  section: string;
  /** The file written. */
  path: string;
  /** True when the file did not exist before. */
  created: boolean;
  /** The credentials' expiry. */
  expiration: AwsCredentials["expiration"];
}

/** Gets the profile's credentials and writes them to `[<profile>]` of `path`. */
export async function writeToCredentials(
  ctx: AppContext,
  request: CredentialRequest,
  path: string,
): Promise<WrittenCredentials> {
  await checkTarget(path);
  const result = await getCredentials(ctx, request);
  const { created } = await writeCredentialsFile({
    path,
    section: request.profile,
    creds: result.credentials,
    create: true,
    lockDir: lockDir(ctx.env, ctx.home),
  });
  return { section: request.profile, path, created, expiration: result.credentials.expiration };
}

/** Fails early for a directory, a read-only file, or a parent that is not a directory. */
async function checkTarget(path: string): Promise<void> {
  const hint = "pick a writable file, e.g. ~/.aws/credentials";
  let info: Deno.FileInfo | undefined;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory)) {
      throw new AppError(`cannot write "${path}": ${reason(error)}`, { hint, cause: error });
    }
  }
  if (info?.isDirectory) throw new AppError(`cannot write "${path}": it is a directory`, { hint });
  if (info) {
    // Opening for writing (without truncating) honours the file's own permissions, which an
    // atomic rename over it would silently ignore.
    if (info.mode !== null && (info.mode & 0o222) === 0) {
      throw new AppError(`cannot write "${path}": the file is read-only`, { hint });
    }
    try {
      (await Deno.open(path, { write: true })).close();
    } catch (error) {
      throw new AppError(`cannot write "${path}": ${reason(error)}`, { hint, cause: error });
    }
    return;
  }
  // A missing file: its nearest existing ancestor must be a directory.
  for (let dir = parentOf(path); dir !== undefined; dir = parentOf(dir)) {
    try {
      const parent = await Deno.stat(dir);
      if (!parent.isDirectory) {
        throw new AppError(`cannot write "${path}": "${dir}" is not a directory`, { hint });
      }
      return;
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof Deno.errors.NotADirectory) {
        throw new AppError(`cannot write "${path}": a parent is not a directory`, { hint });
      }
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new AppError(`cannot write "${path}": ${reason(error)}`, { hint, cause: error });
      }
    }
  }
}

function parentOf(path: string): string | undefined {
  const trimmed = path.replace(/[\\/]+$/, "");
  const index = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  if (index < 0) return trimmed === "." || trimmed === "" ? undefined : ".";
  if (index === 0) return trimmed === "/" ? undefined : "/";
  return trimmed.slice(0, index);
}

function reason(error: unknown): string {
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) return "no write permission for this process";
  return error instanceof Error ? error.message.split("\n")[0]!.replace(/: \w+ '.*'$/, "") : String(error);
}
