/**
 * What the wincred backend asks the Credential Manager, as plain data: the target name of each key
 * (99designs/keyring's naming, so Go aws-okta's items are found), the blob size it accepts, and how
 * Windows error codes read. Tested on every OS.
 *
 * @module
 */

import { KeyringError, SERVICE_NAME } from "../keyring.ts";

/** Target name prefix: 99designs/keyring's `<WinCredPrefix>:<ServiceName>:` with aws-okta's values. */
export const TARGET_PREFIX = `keyring:${SERVICE_NAME}:`;
/** CRED_MAX_CREDENTIAL_BLOB_SIZE (5 * 512 bytes). */
export const MAX_BLOB_BYTES = 5 * 512;
/** The credential target of `key`. */
export function targetName(key: string): string {
  return `${TARGET_PREFIX}${key}`;
}

/** The key of a credential target, or undefined when the target is not one of ours. */
export function keyOfTarget(target: string): string | undefined {
  return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
}

/** Refuses blobs the Credential Manager would reject, with a message that says what to do. */
export function checkBlobSize(key: string, size: number): void {
  if (size > MAX_BLOB_BYTES) {
    throw new KeyringError(
      `wincred keyring: item "${key}" is ${size} bytes; Windows Credential Manager holds at most ${MAX_BLOB_BYTES}`,
      { hint: "drop --session-cache-single-item, or use --backend file" },
    );
  }
}

/** Windows error codes we can name. */
export function win32ErrorText(code: number): string {
  const known: Record<number, string> = {
    5: "access denied",
    87: "invalid parameter",
    1168: "element not found",
    1312: "no logon session (Credential Manager is not available to this process)",
    1783: "bad credential data",
  };
  return known[code] ?? `Windows error ${code}`;
}
