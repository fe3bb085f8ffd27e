/**
 * Writes a profile's credentials into an AWS shared credentials file (~/.aws/credentials), used by
 * `write-to-credentials` and `web --write-aws-credentials`: the one section is updated in place and
 * every other byte of the file (comments, order, spacing, other sections) is kept; the file is
 * replaced atomically with mode 0600. With a lock directory, the read-modify-write runs under a
 * file lock, so concurrent writers of other sections of the same file lose nothing.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { AwsCredentials } from "../aws/credentials.ts";
import { commentOutKeys, setSectionValues } from "../config/ini_edit.ts";
import { writeFileAtomic } from "../fs/atomic_write.ts";
import { createLocker } from "./lock.ts";

/** What to write where. */
export interface CredentialsFileWrite {
  /** Path of the credentials file. */
  path: string;
  /** Section (profile) name, without brackets. */
  section: string;
  creds: AwsCredentials;
  /** Also write aws_security_token (boto2-era tools read it). Default true, as aws-okta did. */
  securityToken?: boolean;
  /** Key for the expiry time (RFC 3339), or false for none. Default "x_security_token_expires". */
  expiryKey?: string | false;
  /** Region to write, if any. */
  region?: string;
  /** Create the file (and its directory) when missing. Default true. */
  create?: boolean;
  /** Keys to comment out in the section (values no longer written, which would go stale). */
  commentOut?: readonly string[];
  /** The app's lock directory (`lockDir()`): serializes writers of the same file across processes. */
  lockDir?: string;
}

/** What {@linkcode writeCredentialsFile} did. */
export interface CredentialsFileResult {
  /** The file did not exist. */
  created: boolean;
  /** Keys of {@linkcode CredentialsFileWrite.commentOut} that were found and commented out. */
  commented: string[];
}

/** Updates (or adds) the section and says whether the file was created and what was commented out. */
export function writeCredentialsFile(write: CredentialsFileWrite): Promise<CredentialsFileResult> {
  if (write.lockDir === undefined) return update(write);
  // Without the lock, two processes that each read the file before the other renamed its copy in
  // would each drop the other's section.
  const absolute = /^([a-z]:)?[\\/]/i.test(write.path) ? write.path : `${Deno.cwd()}/${write.path}`;
  return createLocker({ dir: write.lockDir })(`credentials-file ${absolute}`, () => update(write));
}

async function update(write: CredentialsFileWrite): Promise<CredentialsFileResult> {
  let text = "";
  let created = false;
  try {
    text = await Deno.readTextFile(write.path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw fileError(write.path, "read", error);
    if (write.create === false) {
      throw new AppError(`credentials file "${write.path}" does not exist`, {
        hint: "create it first, or pick another file",
      });
    }
    created = true;
    const dir = write.path.replace(/[\\/][^\\/]*$/, "");
    if (dir && dir !== write.path) {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 }).catch((e) => {
        throw fileError(dir, "create", e);
      });
    }
  }
  const { creds } = write;
  const expiryKey = write.expiryKey === undefined ? "x_security_token_expires" : write.expiryKey;
  const values: Record<string, string | undefined> = {
    aws_access_key_id: creds.accessKeyId,
    aws_secret_access_key: creds.secretAccessKey,
    aws_session_token: creds.sessionToken,
  };
  if (write.securityToken !== false) values["aws_security_token"] = creds.sessionToken;
  if (expiryKey) values[expiryKey] = creds.expiration.toISOString().replace(/\.\d{3}Z$/, "Z");
  if (write.region) values["region"] = write.region;
  const stale = commentOutKeys(text, write.section, write.commentOut ?? [], write.path);
  const updated = setSectionValues(stale.text, write.section, values, write.path);
  try {
    await writeFileAtomic(write.path, new TextEncoder().encode(updated), { mode: 0o600 });
  } catch (error) {
    throw fileError(write.path, "write", error);
  }
  return { created, commented: stale.commented };
}

function fileError(path: string, action: string, error: unknown): AppError {
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
