/**
 * The `eks-token` use case: an ExecCredential for kubectl, signed with the profile's credentials
 * (from the cache when fresh, so kubectl's frequent calls cost no login).
 *
 * @module
 */

import {
  checkClusterName,
  eksToken,
  execCredentialJson,
  requestedExecVersion,
} from "../aws/eks_bearer_token.ts";
import { stsEndpoint } from "../aws/sts_endpoint.ts";
import type { AppContext } from "./context.ts";
import { type CredentialRequest, getCredentials } from "./cred_process.ts";

/** Which cluster, and which region's STS signs the token. */
export interface EksTokenRequest {
  credentials: CredentialRequest;
  /** The cluster name (x-k8s-aws-id). */
  clusterName: string;
  /**
   * `--region`; else AWS_REGION, AWS_DEFAULT_REGION, the profile's region (as `aws eks get-token`
   * picks it); else the partition's default STS endpoint.
   */
  region?: string;
}

function envRegion(ctx: AppContext): string | undefined {
  return ctx.env.get("AWS_REGION")?.trim() || ctx.env.get("AWS_DEFAULT_REGION")?.trim() || undefined;
}

/** Returns the ExecCredential JSON (with a trailing newline). */
export async function eksExecCredential(ctx: AppContext, request: EksTokenRequest): Promise<string> {
  // Before any login: bad input should not cost an MFA prompt.
  checkClusterName(request.clusterName);
  const apiVersion = requestedExecVersion(ctx.env.get("KUBERNETES_EXEC_INFO"));
  const result = await getCredentials(ctx, request.credentials);
  // The environment beats the config file, as in the AWS CLI (v1 reads only AWS_DEFAULT_REGION).
  const region = request.region ?? envRegion(ctx) ?? result.profile.region;
  const endpoint = stsEndpoint({ env: ctx.env, region }, result.roleArn);
  ctx.debug(`eks: signing for STS in ${endpoint.signingRegion}`);
  const token = await eksToken({
    creds: result.credentials,
    clusterName: request.clusterName,
    stsUrl: endpoint.url,
    signingRegion: endpoint.signingRegion,
    now: ctx.now(),
  });
  return execCredentialJson(token, apiVersion);
}
