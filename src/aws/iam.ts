/**
 * IAM's ListAccountAliases, the one IAM call aws-okta makes (`populate --iam-alias`): a GET with a
 * presigned query (SigV4 query-string authentication, which IAM's Query API accepts), so no AWS SDK
 * client is loaded for it. IAM is global: one endpoint per partition, signed for its home region.
 * `AWS_ENDPOINT_URL_IAM`, then `AWS_ENDPOINT_URL`, replace the endpoint as in the AWS SDKs.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Fetch } from "../net/fetch.ts";
import { type AwsCredentials, type Partition, partitionOf } from "./credentials.ts";
import { presignUrl } from "./sigv4.ts";
import { customEndpointUrl } from "./sts_endpoint.ts";
import type { EnvReader } from "../env.ts";

/** What {@linkcode listAccountAliases} needs. */
export interface IamContext {
  fetch: Fetch;
  env: EnvReader;
  now: Date;
}

const ENDPOINTS: Record<Partition, { url: string; region: string }> = {
  "aws": { url: "https://iam.amazonaws.com", region: "us-east-1" },
  "aws-us-gov": { url: "https://iam.us-gov.amazonaws.com", region: "us-gov-west-1" },
  "aws-cn": { url: "https://iam.cn-north-1.amazonaws.com.cn", region: "cn-north-1" },
};

/**
 * The account aliases of the credentials' account (AWS allows at most one).
 *
 * @param roleArn the credentials' role, for its partition.
 * @throws {AppError} `IAM refused ListAccountAliases: <message> (<code>)` or an HTTP failure.
 */
export async function listAccountAliases(
  ctx: IamContext,
  creds: AwsCredentials,
  roleArn: string,
): Promise<string[]> {
  const home = ENDPOINTS[partitionOf(roleArn)];
  const url = new URL(customEndpoint(ctx) ?? home.url);
  url.pathname = "/";
  url.search = "?Action=ListAccountAliases&Version=2010-05-08";
  const signed = await presignUrl({
    method: "GET",
    url,
    credentials: creds,
    region: home.region,
    service: "iam",
    now: ctx.now,
    expiresSeconds: 60,
  });
  const response = await ctx.fetch(signed, { headers: { accept: "text/xml" } });
  const text = await response.text();
  if (!response.ok) {
    const code = element(text, "Code");
    const message = element(text, "Message");
    throw new AppError(
      code
        ? `IAM refused ListAccountAliases: ${message ?? code} (${code})`
        : `IAM answered ListAccountAliases with HTTP ${response.status}`,
      { hint: "the role needs iam:ListAccountAliases; names fall back to the account id" },
    );
  }
  const list = /<AccountAliases>([\s\S]*?)<\/AccountAliases>/.exec(text)?.[1] ?? "";
  return [...list.matchAll(/<member>([^<]*)<\/member>/g)].map((match) => decodeXml(match[1]!.trim()));
}

function element(xml: string, name: string): string | undefined {
  const value = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  return value === undefined ? undefined : decodeXml(value.trim());
}

function decodeXml(text: string): string {
  return text.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_, name: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[name] ?? "",
  );
}

/** AWS_ENDPOINT_URL_IAM, then AWS_ENDPOINT_URL, checked as the STS ones are (the URL is presigned). */
function customEndpoint(ctx: IamContext): string | undefined {
  for (const name of ["AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"]) {
    const value = ctx.env.get(name)?.trim();
    if (value) return customEndpointUrl(name, value);
  }
  return undefined;
}
