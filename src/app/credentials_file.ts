/**
 * Writes a profile's credentials into an AWS shared credentials file (~/.aws/credentials), used by
 * `write-to-credentials` and `web --write-aws-credentials`: the one section is updated in place and
 * every other byte of the file (comments, order, spacing, other sections) is kept; the file is
 * replaced atomically with mode 0600. With a lock directory, the read-modify-write runs under a
 * file lock, so concurrent writers of other sections of the same file lose nothing.
 *
 * @module
 */

import type { AwsCredentials } from "../aws/credentials.ts";
import { commentOutKeys, setSectionValues } from "../config/ini_edit.ts";
import { updateTextFile } from "./ini_file.ts";
import { formatTimestamp } from "../timestamp.ts";

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
export async function writeCredentialsFile(write: CredentialsFileWrite): Promise<CredentialsFileResult> {
  const { creds } = write;
  const expiryKey = write.expiryKey === undefined ? "x_security_token_expires" : write.expiryKey;
  const values: Record<string, string | undefined> = {
    aws_access_key_id: creds.accessKeyId,
    aws_secret_access_key: creds.secretAccessKey,
    aws_session_token: creds.sessionToken,
  };
  if (write.securityToken !== false) values["aws_security_token"] = creds.sessionToken;
  if (expiryKey) values[expiryKey] = formatTimestamp(creds.expiration.getTime());
  if (write.region) values["region"] = write.region;
  let commented: string[] = [];
  const { created } = await updateTextFile(
    {
      path: write.path,
      kind: "credentials file",
      ...(write.lockDir === undefined ? {} : { lockDir: write.lockDir }),
      ...(write.create === undefined ? {} : { create: write.create }),
    },
    (text) => {
      const stale = commentOutKeys(text, write.section, write.commentOut ?? [], write.path);
      commented = stale.commented;
      return setSectionValues(stale.text, write.section, values, write.path);
    },
  );
  return { created, commented };
}
