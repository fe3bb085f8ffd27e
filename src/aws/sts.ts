/**
 * The STS calls aws-okta makes: AssumeRoleWithSAML (the Okta assertion → the first role),
 * AssumeRole (each further hop), AssumeRoleWithWebIdentity (`m2m`) and GetCallerIdentity.
 *
 * The AWS SDK is imported lazily inside each call so this module stays cheap on the cache-hit path.
 * Every SDK input that it would otherwise look up (region, endpoint, credentials, retry settings,
 * user agent, app id) is set here, so the SDK never reads ~/.aws/config, the environment or IMDS,
 * and every HTTP request goes through the injected {@linkcode Fetch}.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { type Fetch, redactUrl } from "../net/fetch.ts";
import { type AwsCredentials, formatExpiration, parseExpiration } from "./credentials.ts";
import { type StsAction, stsError, type StsOperation } from "./sts_errors.ts";
import { FetchRequestHandler } from "./sts_http_handler.ts";
import { type StsEndpoint, stsEndpoint } from "./sts_endpoint.ts";
import type { EnvReader } from "../env.ts";

export { type StsEndpoint, stsEndpoint, type StsEndpointInput } from "./sts_endpoint.ts";
export { StsError } from "./sts_errors.ts";

/** What the STS calls depend on. */
export interface StsContext {
  /** The project's fetch stack: ALL STS HTTP goes through it (proxy, CA bundle, timeout, debug log). */
  fetch: Fetch;
  /** Environment: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, AWS_STS_REGIONAL_ENDPOINTS, AWS_USE_FIPS_ENDPOINT. */
  env: EnvReader;
  /** Region whose STS endpoint to use (the profile's); undefined → the partition's default. */
  region?: string | undefined;
  /** Debug sink; receives no secrets. */
  debug?: ((line: string) => void) | undefined;
}

/** Input of {@linkcode assumeRoleWithSaml}. */
export interface AssumeRoleWithSamlInput {
  /** The role to assume. */
  roleArn: string;
  /** The IAM SAML provider ARN paired with the role in the assertion. */
  principalArn: string;
  /** The base64 SAMLResponse exactly as Okta posted it. */
  samlAssertion: string;
  /** Requested session length (900–43200). */
  durationSeconds: number;
}

/** Input of {@linkcode assumeRole}. */
export interface AssumeRoleInput {
  /** The role to assume. */
  roleArn: string;
  /** Session name (2–64 chars of `[\w+=,.@-]`). */
  roleSessionName: string;
  /** The external id the role's trust policy asks for. */
  externalId?: string | undefined;
  /** Requested session length (900–43200; role chaining caps it at 3600). */
  durationSeconds: number;
}

/** Input of {@linkcode assumeRoleWithWebIdentity}. */
export interface AssumeRoleWithWebIdentityInput {
  /** The role to assume. */
  roleArn: string;
  /** Session name (2–64 chars of `[\w+=,.@-]`). */
  roleSessionName: string;
  /** The OIDC access token (a JWT) from the identity provider. */
  webIdentityToken: string;
  /** Requested session length (900–43200). */
  durationSeconds: number;
}

/** The caller identity returned by {@linkcode getCallerIdentity}. */
export interface CallerIdentity {
  /** e.g. `arn:aws:sts::111111111111:assumed-role/Engineer/alice@example.com`. */
  arn: string;
  /** 12-digit account id. */
  account: string;
  /** e.g. `AROA3XFRBF535PLBIFPI4:alice@example.com`. */
  userId: string;
}

/** Exchanges a SAML assertion for role credentials (unsigned call: the assertion is the credential). */
export async function assumeRoleWithSaml(
  ctx: StsContext,
  input: AssumeRoleWithSamlInput,
): Promise<AwsCredentials> {
  const op = operation(ctx, "AssumeRoleWithSAML", input.roleArn, [input.samlAssertion]);
  op.principalArn = input.principalArn;
  const output = await send(ctx, op, undefined, (sdk, client) =>
    client.send(
      new sdk.AssumeRoleWithSAMLCommand({
        RoleArn: input.roleArn,
        PrincipalArn: input.principalArn,
        SAMLAssertion: input.samlAssertion,
        DurationSeconds: input.durationSeconds,
      }),
    ));
  return toCredentials(ctx, op, output);
}

/** Assumes a further role with the caller's credentials (SigV4-signed). */
export async function assumeRole(
  ctx: StsContext,
  caller: AwsCredentials,
  input: AssumeRoleInput,
): Promise<AwsCredentials> {
  const op = operation(ctx, "AssumeRole", input.roleArn, secretsOf(caller));
  const output = await send(ctx, op, caller, (sdk, client) =>
    client.send(
      new sdk.AssumeRoleCommand({
        RoleArn: input.roleArn,
        RoleSessionName: input.roleSessionName,
        DurationSeconds: input.durationSeconds,
        ...(input.externalId === undefined ? {} : { ExternalId: input.externalId }),
      }),
    ));
  return toCredentials(ctx, op, output);
}

/** Exchanges an OIDC token for role credentials (unsigned call: the token is the credential). */
export async function assumeRoleWithWebIdentity(
  ctx: StsContext,
  input: AssumeRoleWithWebIdentityInput,
): Promise<AwsCredentials> {
  const op = operation(ctx, "AssumeRoleWithWebIdentity", input.roleArn, [input.webIdentityToken]);
  const output = await send(ctx, op, undefined, (sdk, client) =>
    client.send(
      new sdk.AssumeRoleWithWebIdentityCommand({
        RoleArn: input.roleArn,
        RoleSessionName: input.roleSessionName,
        WebIdentityToken: input.webIdentityToken,
        DurationSeconds: input.durationSeconds,
      }),
    ));
  return toCredentials(ctx, op, output);
}

/** Asks STS who the caller is (SigV4-signed). */
export async function getCallerIdentity(ctx: StsContext, caller: AwsCredentials): Promise<CallerIdentity> {
  const op = operation(ctx, "GetCallerIdentity", undefined, secretsOf(caller));
  const output = await send(
    ctx,
    op,
    caller,
    (sdk, client) => client.send(new sdk.GetCallerIdentityCommand({})),
  );
  if (!output.Arn || !output.Account || !output.UserId) {
    throw new AppError(`STS answered GetCallerIdentity without an identity`, {
      hint: `check that ${new URL(op.endpointUrl).host} is an STS endpoint (AWS_ENDPOINT_URL_STS)`,
    });
  }
  ctx.debug?.(`sts: GetCallerIdentity -> "${output.Arn}"`);
  return { arn: output.Arn, account: output.Account, userId: output.UserId };
}

type Sdk = typeof import("@aws-sdk/client-sts");
type Client = InstanceType<Sdk["STSClient"]>;

function operation(
  ctx: StsContext,
  action: StsAction,
  roleArn: string | undefined,
  secrets: string[],
): StsOperation & { endpoint: StsEndpoint } {
  const endpoint = stsEndpoint(ctx, roleArn);
  const op: StsOperation & { endpoint: StsEndpoint } = {
    action,
    endpointUrl: endpoint.url,
    signingRegion: endpoint.signingRegion,
    secrets,
    endpoint,
  };
  if (roleArn !== undefined) op.roleArn = roleArn;
  return op;
}

function secretsOf(caller: AwsCredentials): string[] {
  return [caller.secretAccessKey, caller.sessionToken, caller.accessKeyId];
}

async function send<O>(
  ctx: StsContext,
  op: StsOperation & { endpoint: StsEndpoint },
  caller: AwsCredentials | undefined,
  call: (sdk: Sdk, client: Client) => Promise<O>,
): Promise<O> {
  const sdk = await import("@aws-sdk/client-sts");
  const handler = new FetchRequestHandler(ctx.fetch);
  const client = new sdk.STSClient({
    region: op.endpoint.signingRegion,
    endpoint: op.endpoint.url,
    ignoreConfiguredEndpointUrls: true,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: handler,
    credentials: caller
      ? {
        accessKeyId: caller.accessKeyId,
        secretAccessKey: caller.secretAccessKey,
        sessionToken: caller.sessionToken,
      }
      : noCredentials,
    credentialDefaultProvider: () => noCredentials,
    maxAttempts: 3,
    retryMode: "standard",
    disableClockSkewCorrection: false,
    defaultsMode: "standard",
    userAgentAppId: () => Promise.resolve(undefined),
    authSchemePreference: [],
    sigv4aSigningRegionSet: () => Promise.resolve(undefined),
    // The default provider probes the OS (needs --allow-sys=osRelease) just to describe it to AWS.
    defaultUserAgentProvider: () => Promise.resolve([["aws-okta"], ["lang/js"], ["api/sts"]]),
  });
  const role = op.roleArn ? ` "${op.roleArn}"` : "";
  ctx.debug?.(
    `sts: ${op.action}${role} via ${redactUrl(new URL(op.endpointUrl))} (signing ${op.signingRegion})`,
  );
  try {
    const output = await call(sdk, client);
    // A captive portal or proxy may answer 200 with an HTML page, which the SDK parses as an empty result.
    if (handler.last && !handler.last.awsXml) throw new Error("non-AWS body");
    return output;
  } catch (error) {
    const mapped = handler.transportError ?? stsError(error, op, handler.last);
    const wire = handler.last;
    ctx.debug?.(
      `sts: ${op.action} failed after ${handler.requests} request(s)` +
        (wire ? `: HTTP ${wire.status}${wire.code ? ` ${wire.code}` : ""}` : "") +
        (wire?.requestId ? ` (request id ${wire.requestId})` : ""),
    );
    throw mapped;
  } finally {
    client.destroy();
  }
}

/** Signed calls get the caller's credentials; for unsigned ones the SDK must not look any up. */
function noCredentials(): Promise<never> {
  return Promise.reject(new AppError("no AWS credentials were given for a signed STS call"));
}

interface CredentialsOutput {
  Credentials?:
    | {
      AccessKeyId?: string | undefined;
      SecretAccessKey?: string | undefined;
      SessionToken?: string | undefined;
      Expiration?: Date | undefined;
    }
    | undefined;
  AssumedRoleUser?: { Arn?: string | undefined } | undefined;
}

function toCredentials(ctx: StsContext, op: StsOperation, output: CredentialsOutput): AwsCredentials {
  const c = output.Credentials;
  const expiration = toDate(c?.Expiration);
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !expiration) {
    throw new AppError(`STS answered ${op.action} for "${op.roleArn}" without complete credentials`, {
      hint: `check that ${new URL(op.endpointUrl).host} is an STS endpoint (AWS_ENDPOINT_URL_STS)`,
    });
  }
  const creds: AwsCredentials = {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration,
  };
  const assumed = output.AssumedRoleUser?.Arn;
  if (assumed) creds.assumedRoleArn = assumed;
  ctx.debug?.(
    `sts: ${op.action} -> ${assumed ? `"${assumed}"` : "ok"} until ${formatExpiration(expiration)}`,
  );
  return creds;
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === "string") {
    try {
      return parseExpiration(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
