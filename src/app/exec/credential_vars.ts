/**
 * The environment variables `exec`, `env` and `exec --server` give a profile's credentials.
 *
 * @module
 */

import { credentialEnv } from "../../aws/formats.ts";
import type { ProfileCredentials } from "../cred_process.ts";

/** AWS_ACCESS_KEY_ID & co. for a use-case result, with the profile's region and assumed role. */
export function credentialVars(result: ProfileCredentials): Record<string, string> {
  return credentialEnv({
    creds: result.credentials,
    profile: result.profile.name,
    region: result.profile.region,
  });
}
