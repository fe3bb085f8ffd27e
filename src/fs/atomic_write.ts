/**
 * Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it over
 * the target, then fsync the directory. A reader (or a crash at any point) sees the old file or the
 * new one, never a truncated mix. A process killed mid-write leaves its temp file behind; the next
 * write of the same file removes such leftovers once they are an hour old.
 *
 * @module
 */

/** Options for {@linkcode writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Mode of the new file (default 0o600: everything aws-okta writes is secret). */
  mode?: number;
  /** Name of the temp file inside the target's directory (default `.<name>.tmp-<random hex>`). */
  tempName?: string;
  /** With `tempName`: the names of such temp files, so leftovers of killed writers can be swept. */
  tempPattern?: RegExp;
}

/** Replaces `path` with `bytes` atomically. Errors are the raw Deno errors; callers word them. */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const tempPath = `${dir}${SEP}${options.tempName ?? `.${basename(path)}.tmp-${randomHex(8)}`}`;
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(tempPath, { write: true, createNew: true, mode: options.mode ?? 0o600 });
    for (let written = 0; written < bytes.length;) {
      written += await file.write(bytes.subarray(written));
    }
    await file.sync();
    file.close();
    file = undefined;
    await renameOver(tempPath, path);
  } catch (error) {
    file?.close();
    await Deno.remove(tempPath).catch(() => {});
    throw error;
  }
  await syncDirectory(dir);
  const prefix = `.${basename(path)}.tmp-`;
  const pattern = options.tempName === undefined
    ? (name: string) => name.startsWith(prefix) && /^[0-9a-f]{16}$/.test(name.slice(prefix.length))
    : options.tempPattern && ((name: string) => options.tempPattern!.test(name));
  if (pattern) await removeStaleTemps(dir, pattern);
}

/** How long a rename on Windows keeps trying while the target is open elsewhere (below). */
const RENAME_RETRY_MS = 2_000;

/**
 * Renames `from` over `to`. On Windows, replacing a file that another process has open (a reader of
 * the same keyring item, an antivirus scan) is refused with "Access denied" wherever POSIX rename
 * semantics are missing (FAT, network shares, older Windows, Wine), and succeeds once that handle
 * closes: retry for a while, as other Windows tools do, unless the target is a directory (then
 * the refusal is final).
 */
async function renameOver(from: string, to: string): Promise<void> {
  const deadline = Date.now() + RENAME_RETRY_MS;
  for (let delay = 5;; delay = Math.min(delay * 2, 100)) {
    try {
      return await Deno.rename(from, to);
    } catch (error) {
      const busy = Deno.build.os === "windows" && error instanceof Deno.errors.PermissionDenied &&
        Date.now() < deadline && !(await Deno.stat(to).then((info) => info.isDirectory, () => false));
      if (!busy) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Temp files older than this belong to a writer that died: none takes an hour to write a file. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** Best effort: removes the temp files `isTemp` recognizes that are an hour old or more from `dir`. */
async function removeStaleTemps(dir: string, isTemp: (name: string) => boolean): Promise<void> {
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !isTemp(entry.name)) continue;
      const path = `${dir}${SEP}${entry.name}`;
      const modified = (await Deno.lstat(path)).mtime?.getTime();
      if (modified !== undefined && Date.now() - modified >= STALE_TEMP_MS) await Deno.remove(path);
    }
  } catch {
    // Leftovers are litter, not damage: never fail a write over them.
  }
}

/** Makes the rename durable; best effort, since not every platform can open a directory. */
async function syncDirectory(dir: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // The data is already renamed into place; only durability across a power cut is at stake.
  }
}

const SEP = Deno.build.os === "windows" ? "\\" : "/";

/** The directory part of `path` ("." when there is none); `\\` also separates on Windows. */
export function dirname(path: string): string {
  const index = Math.max(path.lastIndexOf("/"), Deno.build.os === "windows" ? path.lastIndexOf("\\") : -1);
  if (index < 0) return ".";
  return index === 0 ? path.slice(0, 1) : path.slice(0, index);
}

function basename(path: string): string {
  const index = Math.max(path.lastIndexOf("/"), Deno.build.os === "windows" ? path.lastIndexOf("\\") : -1);
  return path.slice(index + 1);
}

/** Random lowercase hex of `bytes` bytes. */
export function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}
