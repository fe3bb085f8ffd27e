/**
 * `aws-okta web`: okta-aws-cli's web flow (device authorization → web SSO token → SAML → STS) with
 * its flags, done right: the Okta tokens stay in the keyring (no browser while they or the refresh
 * token work), a preselected IdP is honoured, several AWS apps are all found (every appLinks page),
 * the credentials file is updated in place, and `--exec` keeps the child's exit code.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { AwsCredentials } from "../../aws/credentials.ts";
import { labelFor, type OktaYaml, resolveLabel } from "../../config/okta_yaml.ts";
import type { SamlAssertion, SamlRole } from "../../okta/assertion.ts";
import { oktaBaseUrl } from "../../okta/domain.ts";
import { discoverPipeline } from "../../okta/org_discovery.ts";
import { deliverCredentials, type OutputOptions, type Stdout } from "./aws_cli_output.ts";
import type { AppContext } from "../context.ts";
import { chooseApp, listApps, samlForApp, signIn } from "../sign_in/device_login.ts";
import { openTokenKeyring } from "../store/open_keyring.ts";
import { type SessionLength, withLongestSession } from "../sign_in/session_length.ts";

/** What `web` was asked for (flags, OKTA_AWSCLI_* variables and okta.yaml merged). */
export interface WebInput {
  orgDomain: string;
  clientId: string;
  /** `--aws-acct-fed-app-id`. */
  appId?: string;
  /** `--aws-iam-idp`: ARN or okta.yaml label. */
  idp?: string;
  /** `--aws-iam-role`: ARN or okta.yaml label. */
  role?: string;
  /** `--aws-session-duration`; the app's SessionDuration, else 3600, when unset. */
  sessionDuration?: number;
  /** `--aws-region`: STS region. */
  region?: string;
  openBrowser: boolean;
  openBrowserCommand?: string;
  qrCode: boolean;
  /** `--short-user-agent`. */
  shortUserAgent: boolean;
  /** `--all-profiles`: every role of every AWS app, each to its own credentials-file profile. */
  allProfiles: boolean;
  output: OutputOptions;
  /** okta.yaml labels. */
  yaml: OktaYaml;
}

/** Runs the web flow; returns the exit code (the child's with `--exec`). */
export async function runWeb(ctx: AppContext, input: WebInput, stdout: Stdout): Promise<number> {
  const baseUrl = oktaBaseUrl(input.orgDomain);
  const fetch = await ctx.buildFetch({
    host: baseUrl.host,
    operation: "web",
    shortUserAgent: input.shortUserAgent,
  });
  if (await discoverPipeline(fetch, baseUrl, ctx.debug) === "v1") {
    throw new AppError(`"${baseUrl.host}" is a Classic Engine org: "web" needs Identity Engine`, {
      hint: 'use "aws-okta add" and a profile with aws_saml_url (cred-process, exec, env) instead',
    });
  }
  const keyring = await openTokenKeyring(ctx);
  const withLock = ctx.locker({
    onWait: () => ctx.prompter.say("Waiting for another aws-okta process to finish signing in…"),
  });
  const options = {
    baseUrl,
    clientId: input.clientId,
    openBrowser: input.openBrowser,
    ...(input.openBrowserCommand ? { openBrowserCommand: input.openBrowserCommand } : {}),
    qrCode: input.qrCode,
    appKnown: input.appId !== undefined,
  };
  // The same lock name as device-flow profiles: concurrent calls open one browser flow.
  const session = await withLock(
    `login oidc ${baseUrl.host} ${input.clientId}`,
    () => signIn(ctx, keyring, fetch, options),
  );
  let appIds: string[];
  if (input.appId) appIds = [input.appId];
  else {
    const apps = await listApps(ctx, session);
    appIds = input.allProfiles && apps.length > 0
      ? apps.map((app) => app.id)
      : [(await chooseApp(ctx, apps)).id];
  }
  const sts = await import("../../aws/sts.ts");
  const { parseSamlAssertion } = await import("../../okta/assertion.ts");
  const stsCtx = { fetch, env: ctx.env, debug: ctx.debug, ...(input.region ? { region: input.region } : {}) };
  for (const appId of appIds) {
    const samlResponse = await samlForApp(ctx, session, appId);
    const assertion = await parseSamlAssertion(samlResponse);
    const roles = await chooseRoles(ctx, input, assertion);
    const length: SessionLength = input.sessionDuration !== undefined
      ? {
        seconds: input.sessionDuration,
        userSetting: "--aws-session-duration (OKTA_AWSCLI_SESSION_DURATION)",
      }
      : { seconds: assertion.sessionDuration ?? 3600 };
    for (const role of roles) {
      const creds: AwsCredentials = await withLongestSession(ctx, role.roleArn, length, (durationSeconds) => {
        ctx.debug(`sts: AssumeRoleWithSAML ${role.roleArn} for ${durationSeconds} s`);
        return sts.assumeRoleWithSaml(stsCtx, {
          roleArn: role.roleArn,
          principalArn: role.principalArn,
          samlAssertion: samlResponse,
          durationSeconds,
        });
      });
      const profile = input.allProfiles ? allProfilesName(input.yaml, role) : input.output.profile;
      const code = await deliverCredentials(ctx, creds, { ...input.output, profile }, stdout);
      if (code !== undefined) return code;
    }
  }
  return 0;
}

/** The IdP, then the role(s): flags (ARN or label) first, the only choice, else a prompt. */
async function chooseRoles(ctx: AppContext, input: WebInput, assertion: SamlAssertion): Promise<SamlRole[]> {
  let roles = assertion.roles;
  if (roles.length === 0) {
    throw new AppError("Okta's SAML assertion grants no AWS role", {
      hint: "ask your Okta admin to map a role to you in the AWS app",
    });
  }
  const idps = [...new Set(roles.map((role) => role.principalArn))];
  if (input.idp) {
    // okta-aws-cli takes --aws-iam-idp as given; we check it names an IdP of the assertion.
    const idp = resolveLabel(input.yaml.idps, idps, input.idp);
    if (!idp) {
      throw new AppError(`IdP "${input.idp}" is not in Okta's SAML assertion; it names: ${idps.join(", ")}`, {
        hint: "fix --aws-iam-idp (an IdP ARN or its okta.yaml label)",
      });
    }
    roles = roles.filter((role) => role.principalArn === idp);
  } else if (idps.length > 1 && !input.allProfiles && !input.role) {
    const index = await ctx.prompter.choose(
      "Select the AWS IAM identity provider:",
      idps.map((arn) => display(input.yaml.idps, arn)),
    );
    roles = roles.filter((role) => role.principalArn === idps[index]);
  }
  if (input.allProfiles) return roles;
  if (input.role) {
    const arn = resolveLabel(input.yaml.roles, roles.map((role) => role.roleArn), input.role);
    const match = roles.find((role) => role.roleArn === arn);
    if (!match) {
      throw new AppError(
        `role "${input.role}" is not in Okta's SAML assertion; it grants: ${
          roles.map((r) => r.roleArn).join(", ")
        }`,
        { hint: "fix --aws-iam-role (a role ARN or its okta.yaml label)" },
      );
    }
    return [match];
  }
  if (roles.length === 1) return roles;
  const sorted = [...roles].sort((a, b) => a.roleArn.localeCompare(b.roleArn));
  const index = await ctx.prompter.choose(
    "Select the AWS role to assume:",
    sorted.map((role) => display(input.yaml.roles, role.roleArn)),
  );
  const chosen = sorted[index];
  if (!chosen) throw new AppError("no role chosen");
  return [chosen];
}

function display(labels: Record<string, string>, arn: string): string {
  const label = labelFor(labels, arn);
  return label ? `${label} (${arn})` : arn;
}

/**
 * The credentials-file profile of one role with `--all-profiles`: its okta.yaml label, else
 * "<account>-<IdP name>-<role name>". okta-aws-cli uses the account alias (or "org"), whose names
 * collide across accounts; the account id cannot.
 */
export function allProfilesName(yaml: OktaYaml, role: SamlRole): string {
  const label = labelFor(yaml.roles, role.roleArn);
  if (label) return label;
  const account = role.roleArn.split(":")[4] ?? "";
  const last = (arn: string) => arn.split(":").slice(5).join(":").split("/").pop() ?? "";
  return [account, last(role.principalArn), last(role.roleArn)].filter(Boolean).join("-");
}
