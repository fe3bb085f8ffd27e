/**
 * Profile names for `aws-okta populate`: readable and stable, `<prefix><account>-<role>` by
 * default, where `<account>` is the account's alias when looked up, else the Okta app's label for
 * an app whose roles are all in one account, else the account id. `--name-template` changes the
 * shape (placeholders `{account}`, `{account_id}`, `{role}`, `{app}`); the prefix goes in front.
 *
 * Names keep to `[A-Za-z0-9_.@+-]`: the AWS SDKs read them in `[profile <name>]`, and
 * `credential_process` lines pass them through a shell-like split.
 *
 * @module
 */

import { accountOf, roleNameOf } from "../../aws/credentials.ts";
import { AppError, UsageError } from "../../errors.ts";

/** The default name template. */
export const DEFAULT_NAME_TEMPLATE = "{account}-{role}";

const PLACEHOLDERS = ["account", "account_id", "role", "app"] as const;
const NAME_CHARS = /^[A-Za-z0-9_.@+-]*$/;

/** One role to name, with where it comes from. */
export interface RoleToName {
  roleArn: string;
  /** Label of the Okta app that grants it. */
  appLabel: string;
  /** True when every role of that app is in one account. */
  singleAccountApp: boolean;
}

/** Options of {@linkcode profileNames}. */
export interface NamingOptions {
  prefix: string;
  template: string;
  /** Account id → alias, for the accounts whose alias was looked up. */
  aliases?: ReadonlyMap<string, string>;
}

/**
 * Checks a prefix and a template before any sign-in.
 *
 * @throws {UsageError} for an unknown placeholder or a character a profile name cannot have.
 */
export function checkNaming(prefix: string, template: string): void {
  if (!NAME_CHARS.test(prefix) || prefix.startsWith("-")) {
    throw new UsageError(`invalid --prefix "${prefix}": use letters, digits and _ . @ + -, not first "-"`);
  }
  const literal = template.replace(/\{([^}]*)\}/g, (_, name: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown placeholder "{${name}}" in --name-template`, {
        hint: `use ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
      });
    }
    return "";
  });
  if (!NAME_CHARS.test(literal)) {
    throw new UsageError(
      `invalid --name-template "${template}": outside placeholders use letters, digits and _ . @ + -`,
    );
  }
}

/** A role ARN's account id and role name (its path left out). */
export function roleParts(roleArn: string): { accountId: string; roleName: string } {
  return { accountId: accountOf(roleArn), roleName: roleNameOf(roleArn) };
}

/** Text as a piece of a profile name: runs of other characters become "-", trimmed. */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_.@+-]+/g, "-").replace(/^[-.]+|-+$/g, "");
}

/**
 * Names every role (same order as given).
 *
 * @throws {AppError} when two roles would get the same name, or a name comes out empty.
 */
export function profileNames(roles: readonly RoleToName[], options: NamingOptions): string[] {
  const names = roles.map((role) => {
    const { accountId, roleName } = roleParts(role.roleArn);
    const alias = options.aliases?.get(accountId);
    const label = slug(role.appLabel).toLowerCase();
    const values: Record<(typeof PLACEHOLDERS)[number], string> = {
      account: alias ? slug(alias) : role.singleAccountApp && label ? label : accountId,
      account_id: accountId,
      role: slug(roleName),
      app: label,
    };
    const body = options.template.replace(
      /\{([a-z_]+)\}/g,
      (_, key: string) => values[key as keyof typeof values] ?? "",
    );
    const name = options.prefix + body;
    if (!/[A-Za-z0-9]/.test(name) || name.startsWith("-")) {
      throw new AppError(`the name template gives no usable profile name for "${role.roleArn}"`, {
        hint: "use {role} and {account} in --name-template",
        exitCode: 2,
      });
    }
    return name;
  });
  const seen = new Map<string, string>();
  roles.forEach((role, index) => {
    const name = names[index]!;
    const other = seen.get(name);
    if (other !== undefined) {
      throw new AppError(`roles "${other}" and "${role.roleArn}" would both be profile "${name}"`, {
        hint: "add {account_id} or {role} to --name-template",
        exitCode: 2,
      });
    }
    seen.set(name, role.roleArn);
  });
  return names;
}
