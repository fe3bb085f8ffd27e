/**
 * A small AWS Signature Version 4 signer for presigned URLs (query-string authentication), on
 * WebCrypto only: `eks-token` needs one presigned STS GetCallerIdentity URL, and loading the AWS
 * SDK for that would cost more start-up time than everything else the command does.
 *
 * @module
 */

const encoder = new TextEncoder();

/** SHA-256 of the empty payload: presigned GET requests have no body. */
const EMPTY_PAYLOAD_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** The credentials a request is signed with. */
export interface SigningCredentials {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key (never leaves this module except as an HMAC key). */
  secretAccessKey: string;
  /** Session token of temporary credentials, sent as X-Amz-Security-Token. */
  sessionToken?: string | undefined;
}

/** Input of {@linkcode presignUrl}. */
export interface PresignInput {
  /** HTTP method the URL will be used with. */
  method: string;
  /** The URL with its own query parameters (e.g. Action, Version), in the order they should appear. */
  url: URL;
  /** Extra headers the caller will send and that must be signed (lowercase names); Host is always signed. */
  headers?: Record<string, string>;
  /** Signing credentials. */
  credentials: SigningCredentials;
  /** Signing region, e.g. `us-west-2`. */
  region: string;
  /** Signing service, e.g. `sts`. */
  service: string;
  /** Signing time. */
  now: Date;
  /** X-Amz-Expires, in seconds. */
  expiresSeconds: number;
}

/**
 * Returns `input.url` with the SigV4 query parameters added, in the order botocore writes them
 * (the URL's own parameters, then X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
 * -Security-Token, -Signature), so that the result is byte-for-byte what the AWS CLI produces.
 */
export async function presignUrl(input: PresignInput): Promise<URL> {
  const amzDate = input.now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const headers: Record<string, string> = { host: input.url.host };
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  const headerNames = Object.keys(headers).sort();
  const signedHeaders = headerNames.join(";");

  const params: [string, string][] = [...input.url.searchParams];
  params.push(
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${input.credentials.accessKeyId}/${scope}`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", String(input.expiresSeconds)],
    ["X-Amz-SignedHeaders", signedHeaders],
  );
  if (input.credentials.sessionToken) params.push(["X-Amz-Security-Token", input.credentials.sessionToken]);

  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(input.url.pathname),
    canonicalQuery(params),
    headerNames.map((name) => `${name}:${headers[name]!.trim().replace(/\s+/g, " ")}\n`).join(""),
    signedHeaders,
    EMPTY_PAYLOAD_HASH,
  ].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, await sha256Hex(canonicalRequest)].join("\n");
  let key = await hmac(encoder.encode(`AWS4${input.credentials.secretAccessKey}`), date);
  for (const part of [input.region, input.service, "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, stringToSign));

  params.push(["X-Amz-Signature", signature]);
  const url = new URL(input.url);
  url.search = params.map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`).join("&");
  return url;
}

/** RFC 3986 encoding: everything but unreserved characters, as SigV4 requires. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(params: readonly [string, string][]): string {
  return params
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0)
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

function canonicalPath(pathname: string): string {
  if (pathname === "" || pathname === "/") return "/";
  // Non-S3 services encode each segment of the (already encoded) path once more.
  return pathname.split("/").map((segment) => uriEncode(segment)).join("/");
}

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

async function hmac(key: Uint8Array, data: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data)));
}
