/**
 * AssumeRoleWithWebIdentity: accepts only JWTs this simulator issued (client credentials access
 * tokens, checked by signature against its own key and by record), unexpired, and answers with
 * the web-identity fields AWS sends (SubjectFromWebIdentityToken, Audience, Provider).
 *
 * @module
 */

import { idx } from "./idx_state.ts";
import { verifyJwt } from "./jwt.ts";
import type { StsAction } from "./sts.ts";
import { assumedRoleUserXml, credentialsXml, issueCredentials } from "./sts_credentials.ts";
import { DEFAULT_MAX_SESSION_SECONDS, ROLE_ARN_RE, SESSION_NAME_RE, Validator } from "./sts_validation.ts";
import { StsError, stsSuccess } from "./sts_xml.ts";

/** The AssumeRoleWithWebIdentity handler. */
export const assumeRoleWithWebIdentity: StsAction = async ({ ctx, params, requestId }) => {
  const { state } = ctx;
  const v = new Validator();
  const roleArn = params.get("RoleArn");
  const sessionName = params.get("RoleSessionName");
  const token = params.get("WebIdentityToken");
  v.required("roleArn", roleArn);
  v.length("roleArn", roleArn, 20, 2048);
  v.required("roleSessionName", sessionName);
  v.length("roleSessionName", sessionName, 2, 64);
  v.pattern("roleSessionName", sessionName, SESSION_NAME_RE, "[\\w+=,.@-]*");
  v.required("webIdentityToken", token);
  v.length("webIdentityToken", token, 4, 20000, true);
  const duration = v.integer("durationSeconds", params.get("DurationSeconds"), 900, 43200);
  v.check();
  if (!ROLE_ARN_RE.test(roleArn!)) throw new StsError(400, "ValidationError", `${roleArn} is invalid`);

  const ids = idx(state);
  const verified = await verifyJwt(token!, (await ids.signingKeys()).publicKey);
  const record = ids.issuedJwts.get(token!);
  if (!verified || !record) {
    throw new StsError(
      400,
      "InvalidIdentityToken",
      "Couldn't retrieve verification key from your identity provider",
    );
  }
  if (record.expiresAt <= state.now()) {
    throw new StsError(
      400,
      "ExpiredTokenException",
      "Token expired: current date/time must be before the expiration date/time",
    );
  }
  const trust = state.roles[roleArn!];
  if (trust?.trusts && !trust.trusts.includes(record.issuer)) {
    throw new StsError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
  }
  const durationSeconds = duration ?? 3600;
  if (durationSeconds > (trust?.maxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS)) {
    throw new StsError(
      400,
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
  }
  const credentials = issueCredentials(state, {
    action: "AssumeRoleWithWebIdentity",
    roleArn: roleArn!,
    roleSessionName: sessionName!,
    durationSeconds,
    extra: { subject: record.clientId },
  });
  return stsSuccess("AssumeRoleWithWebIdentity", {
    SubjectFromWebIdentityToken: record.clientId,
    Audience: String(verified.claims.aud ?? ""),
    AssumedRoleUser: assumedRoleUserXml(credentials),
    Credentials: credentialsXml(credentials),
    Provider: record.issuer,
  }, requestId);
};
