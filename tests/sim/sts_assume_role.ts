/**
 * The signed STS actions: AssumeRole (role chaining limits, trust and ExternalId checks) and
 * GetCallerIdentity.
 *
 * @module
 */

import type { StsAction } from "./sts.ts";
import { authenticate } from "./sts_auth.ts";
import { assumedRoleUserXml, credentialsXml, issueCredentials } from "./sts_credentials.ts";
import { DEFAULT_MAX_SESSION_SECONDS, ROLE_ARN_RE, SESSION_NAME_RE, Validator } from "./sts_validation.ts";
import { StsError, stsSuccess } from "./sts_xml.ts";

/** The AssumeRole handler. Every caller holds role-session credentials, so this is always chaining. */
export const assumeRole: StsAction = async ({ ctx, params, body, requestId }) => {
  const { state } = ctx;
  const caller = await authenticate(state, ctx.req, body);
  const v = new Validator();
  const roleArn = params.get("RoleArn");
  const sessionName = params.get("RoleSessionName");
  const externalId = params.get("ExternalId");
  const sourceIdentity = params.get("SourceIdentity");
  v.required("roleArn", roleArn);
  v.length("roleArn", roleArn, 20, 2048);
  v.required("roleSessionName", sessionName);
  v.length("roleSessionName", sessionName, 2, 64);
  v.pattern("roleSessionName", sessionName, SESSION_NAME_RE, "[\\w+=,.@-]*");
  const duration = v.integer("durationSeconds", params.get("DurationSeconds"), 900, 43200);
  v.length("externalId", externalId, 2, 1224);
  v.pattern("externalId", externalId, /^[\w+=,.@:/-]*$/, "[\\w+=,.@:\\/-]*");
  v.length("sourceIdentity", sourceIdentity, 2, 64);
  v.check();
  if (!ROLE_ARN_RE.test(roleArn!)) throw new StsError(400, "ValidationError", `${roleArn} is invalid`);

  const trust = state.roles[roleArn!];
  const trusted = !trust?.trusts || trust.trusts.includes(caller.roleArn);
  const externalIdOk = trust?.externalId === undefined || trust.externalId === externalId;
  if (!trusted || !externalIdOk) {
    throw new StsError(
      403,
      "AccessDenied",
      `User: ${caller.assumedRoleArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  }
  const durationSeconds = duration ?? 3600;
  if (durationSeconds > 3600) {
    throw new StsError(
      400,
      "ValidationError",
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  }
  if (durationSeconds > (trust?.maxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS)) {
    throw new StsError(
      400,
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
  }

  const credentials = issueCredentials(state, {
    action: "AssumeRole",
    roleArn: roleArn!,
    roleSessionName: sessionName!,
    durationSeconds,
    extra: {
      callerAccessKeyId: caller.accessKeyId,
      ...(externalId !== null ? { externalId } : {}),
      ...(sourceIdentity !== null ? { sourceIdentity } : {}),
    },
  });
  return stsSuccess("AssumeRole", {
    AssumedRoleUser: assumedRoleUserXml(credentials),
    Credentials: credentialsXml(credentials),
    SourceIdentity: credentials.sourceIdentity,
  }, requestId);
};

/** The GetCallerIdentity handler. */
export const getCallerIdentity: StsAction = async ({ ctx, body, requestId }) => {
  const caller = await authenticate(ctx.state, ctx.req, body);
  return stsSuccess("GetCallerIdentity", {
    Arn: caller.assumedRoleArn,
    UserId: caller.assumedRoleId,
    Account: caller.account,
  }, requestId);
};
