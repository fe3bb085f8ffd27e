/**
 * The one IAM Query API call `aws-okta populate --iam-alias` makes: ListAccountAliases (Version
 * `2010-05-08`), answered for the caller's account from {@linkcode SimState.accountAliases}. IAM
 * is a separate endpoint at AWS; here it shares the STS server (requests are told apart by
 * Version). Only presigned requests (query-string SigV4 scoped to "iam") are accepted, which is
 * how aws-okta signs it.
 *
 * @module
 */

import type { StsAction } from "./sts.ts";
import { verifyPresigned } from "./sts_presigned.ts";
import { StsError } from "./sts_xml.ts";

/** The IAM API version. */
export const IAM_VERSION = "2010-05-08";

const NS = "https://iam.amazonaws.com/doc/2010-05-08/";

/** ListAccountAliases: the caller's account alias (at most one, as at AWS), if it has one. */
const listAccountAliases: StsAction = async (call) => {
  if (!call.ctx.url.searchParams.has("X-Amz-Signature")) {
    throw new StsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  const caller = await verifyPresigned(call, "iam");
  const { state } = call.ctx;
  if (state.roles[caller.roleArn]?.denyIam) {
    throw new StsError(
      403,
      "AccessDenied",
      `User: ${caller.assumedRoleArn} is not authorized to perform: iam:ListAccountAliases on resource: *`,
    );
  }
  const alias = state.accountAliases[caller.account];
  const members = alias === undefined ? "" : `\n      <member>${alias}</member>\n    `;
  const body = `<ListAccountAliasesResponse xmlns="${NS}">\n  <ListAccountAliasesResult>\n` +
    `    <IsTruncated>false</IsTruncated>\n    <AccountAliases>${members}</AccountAliases>\n` +
    `  </ListAccountAliasesResult>\n  <ResponseMetadata>\n    <RequestId>${call.requestId}</RequestId>\n` +
    `  </ResponseMetadata>\n</ListAccountAliasesResponse>\n`;
  return new Response(body, {
    headers: { "content-type": "text/xml", "x-amzn-RequestId": call.requestId },
  });
};

/** IAM action handlers by name. */
export const iamActions = new Map<string, StsAction>([["ListAccountAliases", listAccountAliases]]);
