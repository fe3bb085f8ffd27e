/**
 * Read-modify-write of a text file the user also edits (`~/.aws/credentials`, `~/.aws/config`):
 * under a file lock, so concurrent writers lose nothing, replaced atomically with mode 0600, and a
 * symlinked file is written where the link points (the link stays).
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { writeFileAtomic } from "../fs/atomic_write.ts";
import { createLocker } from "../fs/lock.ts";

/** Options of {@linkcode updateTextFile}. */
export interface TextFileUpdate {
  /** The file. */
  path: string;
  /** The app's lock directory (`lockDir()`); without it, no lock is taken. */
  lockDir?: string;
  /** Create the file (and its directory, 0700) when missing. Default true. */
  create?: boolean;
  /** What the missing file is, for the error when `create` is false (e.g. "credentials file"). */
  kind?: string;
}

/**
 * Runs `edit` on the file's text ("" when missing) and writes what it returns, unless that is the
 * text as read. Returns whether the file was created and whether it was written.
 */
export function updateTextFile(
  update: TextFileUpdate,
  edit: (text: string) => string,
): Promise<{ created: boolean; written: boolean }> {
  if (update.lockDir === undefined) return readEditWrite(update, edit);
  // Without the lock, two processes that each read the file before the other renamed its copy in
  // would each drop the other's change.
  const absolute = /^([a-z]:)?[\\/]/i.test(update.path) ? update.path : `${Deno.cwd()}/${update.path}`;
  return createLocker({ dir: update.lockDir })(`file ${absolute}`, () => readEditWrite(update, edit));
}

async function readEditWrite(
  update: TextFileUpdate,
  edit: (text: string) => string,
): Promise<{ created: boolean; written: boolean }> {
  let path = update.path;
  let text = "";
  let created = false;
  try {
    path = await Deno.realPath(update.path);
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw fileError(update.path, "read", error);
    if (update.create === false) {
      throw new AppError(`${update.kind ?? "file"} "${update.path}" does not exist`, {
        hint: "create it first, or pick another file",
      });
    }
    created = true;
    const dir = update.path.replace(/[\\/][^\\/]*$/, "");
    if (dir && dir !== update.path) {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 }).catch((e) => {
        throw fileError(dir, "create", e);
      });
    }
  }
  const updated = edit(text);
  if (updated === text && !created) return { created, written: false };
  try {
    await writeFileAtomic(path, new TextEncoder().encode(updated), { mode: 0o600 });
  } catch (error) {
    throw fileError(update.path, "write", error);
  }
  return { created, written: true };
}

/** A file error as one line naming the path and the reason. */
export function fileError(path: string, action: string, error: unknown): AppError {
  const reason = error instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : error instanceof Deno.errors.IsADirectory
    ? "it is a directory"
    : error instanceof Deno.errors.NotFound
    ? "the directory does not exist"
    : error instanceof Error
    ? error.message.split("\n")[0]
    : String(error);
  return new AppError(`cannot ${action} "${path}": ${reason}`, {
    hint: "check the path and its permissions",
    cause: error,
  });
}
