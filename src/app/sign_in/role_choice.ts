/**
 * Choosing the SAML role: the configured ARN, else the only role, else a prompt grouped by account.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { Prompter } from "../../ui/prompter.ts";

/** A role/provider pair from the SAML assertion. */
export interface RoleChoice {
  roleArn: string;
  principalArn: string;
}

/**
 * Picks the role to assume with SAML. `configuredFrom` names where `configured` was set (for the
 * error when the assertion does not grant it); the AWS config by default.
 */
export async function chooseRole(
  roles: readonly RoleChoice[],
  configured: string | undefined,
  prompter: Prompter,
  configuredFrom = "okta_aws_role_arn (or role_arn) in your AWS config",
): Promise<RoleChoice> {
  if (roles.length === 0) {
    throw new AppError("Okta's SAML assertion grants no AWS role", {
      hint: "ask your Okta admin to map a role to you in the AWS app",
    });
  }
  if (configured) {
    const match = roles.find((role) => role.roleArn === configured);
    if (match) return match;
    throw new AppError(
      `role "${configured}" is not in Okta's SAML assertion; it grants: ${
        roles.map((r) => r.roleArn).join(", ")
      }`,
      { hint: `fix ${configuredFrom}` },
    );
  }
  if (roles.length === 1) return roles[0]!;
  const sorted = [...roles].sort((a, b) => labelOf(a).localeCompare(labelOf(b)));
  const index = await prompter.choose("Select the AWS role to assume:", sorted.map(labelOf));
  const chosen = sorted[index];
  if (!chosen) throw new AppError("no role chosen");
  return chosen;
}

/** "111111111111  Engineer": the account first so that the sorted list reads grouped by account. */
function labelOf(role: RoleChoice): string {
  const parts = role.roleArn.split(":");
  const account = parts[4] ?? "";
  const name = (parts[5] ?? "").replace(/^role\//, "");
  return `${account}  ${name}`;
}
