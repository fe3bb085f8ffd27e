/**
 * `populate --iam-alias`: each AWS account's IAM alias, for readable profile names. Per account,
 * one AssumeRoleWithSAML (a role of that account, with the assertion populate already holds) and
 * one IAM ListAccountAliases. An account whose alias cannot be read (the role may not call
 * ListAccountAliases) keeps its usual name, with a note.
 *
 * @module
 */

import { roleParts } from "./names.ts";
import type { AppRoles } from "./assigned_roles.ts";
import type { AppContext } from "../context.ts";
import { AppError } from "../../errors.ts";
import type { Fetch } from "../../net/fetch.ts";

/** Account id → alias, for the accounts that have one and let us read it. */
export async function accountAliases(
  ctx: AppContext,
  fetch: Fetch,
  apps: readonly AppRoles[],
  region: string | undefined,
): Promise<Map<string, string>> {
  const sts = await import("../../aws/sts.ts");
  const { listAccountAliases } = await import("../../aws/iam.ts");
  const aliases = new Map<string, string>();
  const tried = new Set<string>();
  for (const { roles, samlResponse } of apps) {
    for (const role of roles) {
      const { accountId } = roleParts(role.roleArn);
      if (tried.has(accountId)) continue;
      tried.add(accountId);
      try {
        const creds = await sts.assumeRoleWithSaml(
          { fetch, env: ctx.env, debug: ctx.debug, ...(region ? { region } : {}) },
          {
            roleArn: role.roleArn,
            principalArn: role.principalArn,
            samlAssertion: samlResponse,
            durationSeconds: 900,
          },
        );
        const [alias] = await listAccountAliases(
          { fetch, env: ctx.env, now: ctx.now() },
          creds,
          role.roleArn,
        );
        ctx.debug(`iam: account ${accountId} is ${alias ? `"${alias}"` : "without an alias"}`);
        if (alias) aliases.set(accountId, alias);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        ctx.prompter.say(`Note: no alias for account ${accountId} (${error.message})`);
      }
    }
  }
  return aliases;
}
