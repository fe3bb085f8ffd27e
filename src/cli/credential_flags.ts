/**
 * Flags shared by the commands that produce credentials (cred-process, exec, env, ...), and the
 * translation of a parsed command line into a credential request.
 *
 * @module
 */

import type { CredentialRequest } from "../app/cred_process.ts";
import { defineFlags, type FlagValues, type ParsedCommand } from "./framework/command.ts";

/** The lengths STS accepts for a role session (DurationSeconds), checked before any login. */
const STS_DURATION_RANGE = [900, 43200] as const;

/** `-t`, `-a` and `--refresh`. The TTL variables are honoured by every command alike. */
export const CREDENTIAL_FLAGS = defineFlags([
  {
    name: "session-ttl",
    short: "t",
    type: "duration",
    valueName: "DURATION",
    description: "Duration of the role assumed with SAML (default: the Okta app's SessionDuration, else 1h)",
    env: ["AWS_SESSION_TTL"],
    range: STS_DURATION_RANGE,
  },
  {
    name: "assume-role-ttl",
    short: "a",
    type: "duration",
    valueName: "DURATION",
    description: "Duration of each further assumed role (AWS caps chained roles at 1h)",
    env: ["AWS_ASSUME_ROLE_TTL"],
    range: STS_DURATION_RANGE,
  },
  { name: "refresh", type: "boolean", description: "Ignore cached sessions and log in again" },
]);

/**
 * What {@linkcode credentialRequest} reads: the credential flags, exec's `--assume-role-arn` and
 * the profile argument.
 */
export type CredentialInput = ParsedCommand<
  FlagValues<typeof CREDENTIAL_FLAGS> & { "assume-role-arn"?: string | undefined },
  { profile: string }
>;

/** Builds the use-case request from the parsed flags and the profile argument. */
export function credentialRequest(input: CredentialInput): CredentialRequest {
  const request: CredentialRequest = { profile: input.args.profile };
  const flags = input.flags;
  if (flags["session-ttl"] !== undefined) request.sessionTtl = flags["session-ttl"];
  if (flags["assume-role-ttl"] !== undefined) request.assumeRoleTtl = flags["assume-role-ttl"];
  if (flags.refresh) request.refresh = true;
  const roleArn = flags["assume-role-arn"];
  if (roleArn) request.roleArn = roleArn;
  return request;
}
