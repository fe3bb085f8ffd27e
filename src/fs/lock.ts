/**
 * Cross-process, per-key file locks that make logins single-flight: while one process logs in (and
 * waits for MFA), the others wait here, then read the cache the first one filled.
 *
 * The locks are advisory OS locks (flock/LockFileEx) on small files in a lock directory, so a
 * process that dies releases its lock with it: there are no stale lock files to clean up.
 *
 * @module
 */

import { AppError } from "../errors.ts";

/** Runs `fn` while holding the named lock. */
export type WithLock = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** Options for {@linkcode createLocker}. */
export interface LockerOptions {
  /** Directory for the lock files (created 0700). */
  dir: string;
  /** Called once when the lock is busy and this process starts waiting. */
  onWait?: (name: string) => void;
  /** Longest wait before giving up, in milliseconds (default 10 minutes: an MFA prompt may be pending). */
  maxWaitMs?: number;
}

/** Creates a {@linkcode WithLock} that locks files in `options.dir`. */
export function createLocker(options: LockerOptions): WithLock {
  const maxWaitMs = options.maxWaitMs ?? 10 * 60_000;
  let dirReady = false;
  return async (name, fn) => {
    if (!dirReady) {
      await Deno.mkdir(options.dir, { recursive: true, mode: 0o700 }).catch((error) => {
        throw lockFileError(`cannot create the lock directory "${options.dir}"`, error);
      });
      dirReady = true;
    }
    const path = `${options.dir}/${lockFileName(name)}.lock`;
    const file = await Deno.open(path, { create: true, write: true, mode: 0o600 }).catch((error) => {
      throw lockFileError(`cannot open the lock file "${path}"`, error);
    });
    try {
      if (!(await file.tryLock(true))) {
        options.onWait?.(name);
        await waitForLock(file, name, maxWaitMs);
      }
      try {
        return await fn();
      } finally {
        // Closing the handle (below) releases the lock too, so a failed unlock must not fail a
        // login that is done (Wine's UnlockFileEx refuses the whole-file range LockFileEx took).
        await file.unlock().catch(() => {});
      }
    } finally {
      file.close();
    }
  };
}

async function waitForLock(file: Deno.FsFile, name: string, maxWaitMs: number): Promise<void> {
  // Poll with tryLock rather than a blocking lock(): a blocking call cannot be abandoned at the
  // deadline, and 50-250 ms of extra latency is nothing next to a login that is in progress.
  const deadline = Date.now() + maxWaitMs;
  let delay = 50;
  while (!(await file.tryLock(true))) {
    if (Date.now() >= deadline) {
      throw new AppError(`another aws-okta process has held the "${name}" login lock for too long`, {
        hint: "finish or cancel the other login (it may be waiting for MFA) and try again",
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
}

/** A lock directory or file that cannot be made is the user's to fix (AWS_OKTA_LOCK_DIR), not a crash. */
function lockFileError(message: string, error: unknown): unknown {
  if (error instanceof Deno.errors.NotCapable || !(error instanceof Error)) return error;
  return new AppError(`${message}: ${error.message.replace(/ \(os error \d+\).*$/, "").toLowerCase()}`, {
    hint: "set AWS_OKTA_LOCK_DIR to a writable directory",
    cause: error,
  });
}

/** Turns a lock name into a safe file name (keeps it readable, escapes the rest). */
function lockFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
