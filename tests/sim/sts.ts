/**
 * The simulated STS Query API (§4): recognising STS requests, Version/Action dispatch, and the
 * error rendering. Each action lives in its own file and registers in {@linkcode stsActions}.
 *
 * @module
 */

import type { SimContext } from "./http.ts";
import { IAM_VERSION, iamActions } from "./iam.ts";
import { newRequestId } from "./ids.ts";
import { assumeRole, getCallerIdentity } from "./sts_assume_role.ts";
import { withPresignedUrls } from "./sts_presigned.ts";
import { assumeRoleWithSaml } from "./sts_saml.ts";
import { assumeRoleWithWebIdentity } from "./sts_web_identity.ts";
import { StsError, stsErrorResponse } from "./sts_xml.ts";

/** One STS call, as an action handler sees it. */
export interface StsCall {
  /** The request context. */
  ctx: SimContext;
  /** Query and form parameters merged (form values win). */
  params: URLSearchParams;
  /** The raw body (for the SigV4 payload hash). */
  body: Uint8Array;
  /** The x-amzn-RequestId of the answer. */
  requestId: string;
}

/** An STS action handler; throws {@linkcode StsError} for error answers. */
export type StsAction = (call: StsCall) => Response | Promise<Response>;

/** The STS API version every call must name. */
export const STS_VERSION = "2011-06-15";

/** Action handlers by name; later tasks replace or add entries (e.g. AssumeRoleWithWebIdentity). */
export const stsActions = new Map<string, StsAction>([
  ["AssumeRoleWithSAML", assumeRoleWithSaml],
  ["AssumeRole", assumeRole],
  // Presigned URLs too: EKS tokens (aws-okta eks-token) are replayed that way.
  ["GetCallerIdentity", withPresignedUrls(getCallerIdentity)],
  ["AssumeRoleWithWebIdentity", assumeRoleWithWebIdentity],
]);

/**
 * The STS parameters of a request, or undefined when it is not an STS call. STS calls go to "/"
 * and carry `Action=` in the query or in a form body; any POST to "/" is taken as STS, since
 * Okta has nothing there.
 */
export async function stsParams(ctx: SimContext): Promise<URLSearchParams | undefined> {
  if (ctx.url.pathname !== "/") return undefined;
  const params = new URLSearchParams(ctx.url.search);
  if (ctx.req.method === "POST") {
    // URLSearchParams decodes "+" as a space, as STS does: a raw "+" in base64 breaks it.
    for (const [name, value] of new URLSearchParams(await ctx.bodyText())) params.set(name, value);
    return params;
  }
  return params.has("Action") ? params : undefined;
}

/** The count key of an STS call: `sts:<Action>` (or `sts:(missing)`); `iam:<Action>` for IAM's. */
export function stsKey(params: URLSearchParams): string {
  return `${params.get("Version") === IAM_VERSION ? "iam" : "sts"}:${params.get("Action") || "(missing)"}`;
}

/** Handles an STS call. */
export async function handleSts(ctx: SimContext, params: URLSearchParams): Promise<Response> {
  const requestId = newRequestId();
  try {
    const action = params.get("Action");
    if (!action) throw new StsError(400, "MissingAction", "Missing Action");
    const version = params.get("Version");
    if (!version) {
      throw new StsError(400, "MissingParameter", "The request must contain the parameter Version");
    }
    const handler = version === IAM_VERSION ? iamActions.get(action) : stsActions.get(action);
    if ((version !== STS_VERSION && version !== IAM_VERSION) || !handler) {
      throw new StsError(400, "InvalidAction", `Could not find operation ${action} for version ${version}`);
    }
    return await handler({ ctx, params, body: await ctx.bodyBytes(), requestId });
  } catch (error) {
    if (error instanceof StsError) {
      return stsErrorResponse(error.status, error.code, error.message, requestId);
    }
    console.error("sim: STS handler failed:", error);
    return stsErrorResponse(500, "InternalFailure", "An internal error occurred", requestId);
  }
}
