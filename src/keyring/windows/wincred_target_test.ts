import assert from "node:assert/strict";
import { KeyringError } from "../keyring.ts";
import { checkBlobSize, keyOfTarget, MAX_BLOB_BYTES, targetName } from "./wincred_target.ts";

Deno.test("targets use 99designs/keyring's naming with aws-okta's service", () => {
  assert.equal(targetName("okta-creds"), "keyring:aws-okta-login:okta-creds");
  assert.equal(keyOfTarget("keyring:aws-okta-login:okta-dev session (0123)"), "okta-dev session (0123)");
  assert.equal(keyOfTarget("aws-vault:default:x"), undefined);
  assert.equal(keyOfTarget("keyring:other-service:x"), undefined);
});

Deno.test("blobs over 2560 bytes are refused with a clear message", () => {
  checkBlobSize("session-cache", MAX_BLOB_BYTES);
  assert.throws(() => checkBlobSize("session-cache", MAX_BLOB_BYTES + 1), (error: unknown) => {
    assert.ok(error instanceof KeyringError);
    assert.equal(
      error.message,
      `wincred keyring: item "session-cache" is 2561 bytes; Windows Credential Manager holds at most 2560`,
    );
    assert.match(error.hint ?? "", /--session-cache-single-item/);
    return true;
  });
});
