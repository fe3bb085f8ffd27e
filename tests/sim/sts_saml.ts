/**
 * AssumeRoleWithSAML: accepts only assertions this simulator issued, unmodified and unexpired,
 * and only a role/provider pair the assertion offers.
 *
 * @module
 */

import { decodeBase64, encodeBase64, samlResponseId } from "./saml.ts";
import type { StsAction } from "./sts.ts";
import { assumedRoleUserXml, credentialsXml, issueCredentials, parseRoleArn } from "./sts_credentials.ts";
import { DEFAULT_MAX_SESSION_SECONDS, PROVIDER_ARN_RE, ROLE_ARN_RE, Validator } from "./sts_validation.ts";
import { StsError, stsSuccess } from "./sts_xml.ts";

const NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithSAML";

function subjectType(format: string): string {
  if (format.endsWith(":persistent")) return "persistent";
  if (format.endsWith(":transient")) return "transient";
  return format;
}

/** Base64 SHA-1 of issuer + account + "/" + provider name, as AWS computes NameQualifier. */
async function nameQualifier(issuer: string, principalArn: string): Promise<string> {
  const { account } = parseRoleArn(principalArn);
  const provider = principalArn.split("/").pop() ?? "";
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(`${issuer}${account}/${provider}`),
  );
  return encodeBase64(new Uint8Array(digest));
}

/** The AssumeRoleWithSAML handler. */
export const assumeRoleWithSaml: StsAction = async ({ ctx, params, requestId }) => {
  const { state } = ctx;
  const v = new Validator();
  const roleArn = params.get("RoleArn");
  const principalArn = params.get("PrincipalArn");
  const assertion = params.get("SAMLAssertion");
  v.required("roleArn", roleArn);
  v.length("roleArn", roleArn, 20, 2048);
  v.required("principalArn", principalArn);
  v.length("principalArn", principalArn, 20, 2048);
  v.required("sAMLAssertion", assertion);
  v.length("sAMLAssertion", assertion, 4, 100000, true);
  const duration = v.integer("durationSeconds", params.get("DurationSeconds"), 900, 43200);
  v.check();
  if (!ROLE_ARN_RE.test(roleArn!)) throw new StsError(400, "ValidationError", `${roleArn} is invalid`);
  if (!PROVIDER_ARN_RE.test(principalArn!)) {
    throw new StsError(400, "ValidationError", `${principalArn} is invalid`);
  }

  const bytes = decodeBase64(assertion!);
  if (!bytes) {
    throw new StsError(
      400,
      "InvalidIdentityToken",
      "Invalid base64 SAMLResponse (check that the SAML assertion is base64 encoded)",
    );
  }
  const xml = new TextDecoder().decode(bytes);
  const id = samlResponseId(xml);
  const record = id === undefined ? undefined : state.assertions.get(id);
  // Comparing with the recorded XML stands in for the signature check real STS does.
  if (!record || record.xml !== xml) {
    throw new StsError(
      400,
      "InvalidIdentityToken",
      "Response does not contain a valid SAML assertion from this provider",
    );
  }
  if (record.notOnOrAfter <= state.now()) {
    throw new StsError(
      400,
      "ExpiredTokenException",
      "Token expired: current date/time must be before the expiration date/time",
    );
  }
  if (!record.roles.some((r) => r.roleArn === roleArn && r.principalArn === principalArn)) {
    throw new StsError(403, "AccessDenied", NOT_AUTHORIZED);
  }
  const trust = state.roles[roleArn!];
  if (trust?.trusts && !trust.trusts.includes(principalArn!)) {
    throw new StsError(403, "AccessDenied", NOT_AUTHORIZED);
  }
  const durationSeconds = duration ?? 3600;
  if (durationSeconds > (trust?.maxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS)) {
    throw new StsError(
      400,
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
  }

  record.uses += 1;
  const credentials = issueCredentials(state, {
    action: "AssumeRoleWithSAML",
    roleArn: roleArn!,
    roleSessionName: record.roleSessionName,
    durationSeconds,
    ...(record.sessionNotOnOrAfter !== undefined ? { capAt: record.sessionNotOnOrAfter } : {}),
    extra: { subject: record.nameId, principalArn: principalArn! },
  });
  return stsSuccess("AssumeRoleWithSAML", {
    Audience: record.recipient,
    AssumedRoleUser: assumedRoleUserXml(credentials),
    Credentials: credentialsXml(credentials),
    Issuer: record.issuer,
    NameQualifier: await nameQualifier(record.issuer, principalArn!),
    Subject: record.nameId,
    SubjectType: subjectType(record.nameIdFormat),
  }, requestId);
};
