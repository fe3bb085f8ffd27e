/**
 * Flags shared by the commands that produce credentials (cred-process, exec, env, ...), and the
 * translation of a parsed command line into a credential request.
 *
 * @module
 */

import type { CredentialRequest } from "../app/cred_process.ts";
import type { FlagSpec, ParsedCommand } from "./framework/command.ts";

/** The lengths STS accepts for a role session (DurationSeconds), checked before any login. */
const STS_DURATION_RANGE = [900, 43200] as const;

/** `-t`, `-a` and `--refresh`. The TTL variables are honoured by every command alike. */
export const CREDENTIAL_FLAGS: readonly FlagSpec[] = [
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
];

/** Builds the use-case request from the parsed flags and the profile argument. */
export function credentialRequest(input: ParsedCommand): CredentialRequest {
  const request: CredentialRequest = { profile: String(input.args["profile"]) };
  const sessionTtl = input.flags["session-ttl"];
  const assumeRoleTtl = input.flags["assume-role-ttl"];
  if (typeof sessionTtl === "number") request.sessionTtl = sessionTtl;
  if (typeof assumeRoleTtl === "number") request.assumeRoleTtl = assumeRoleTtl;
  if (input.flags["refresh"] === true) request.refresh = true;
  const roleArn = input.flags["assume-role-arn"];
  if (typeof roleArn === "string" && roleArn !== "") request.roleArn = roleArn;
  return request;
}
