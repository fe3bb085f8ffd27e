/**
 * AWS Signature Version 4 (§4.4): canonical request, string to sign, key derivation; used to
 * verify signed STS calls and, in tests, to sign them.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Hex of bytes. */
function hex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex SHA-256 of text or bytes. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
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

/** RFC 3986 percent-encoding, as SigV4 wants it (only unreserved characters stay). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The canonical query string: every name and value decoded, re-encoded, sorted by name then value. */
export function canonicalQuery(search: string): string {
  const raw = search.startsWith("?") ? search.slice(1) : search;
  const pairs: [string, string][] = [];
  for (const part of raw.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    pairs.push([rfc3986(safeDecode(name)), rfc3986(safeDecode(value))]);
  }
  pairs.sort(([an, av], [bn, bv]) => an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0);
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

/** The canonical URI: each path segment encoded again (non-S3 services double-encode). */
export function canonicalUri(pathname: string): string {
  if (pathname === "" || pathname === "/") return "/";
  return pathname.split("/").map((segment) => rfc3986(segment)).join("/");
}

/** Header values are trimmed and inner runs of spaces collapsed. */
function canonicalValue(value: string): string {
  return value.trim().replace(/\s+/g, " ");
}

/** Inputs of {@linkcode canonicalRequest}. */
export interface CanonicalRequestInput {
  /** HTTP method. */
  method: string;
  /** URL path as sent. */
  pathname: string;
  /** Raw query string (with or without "?"). */
  search: string;
  /** Header lookup (case-insensitive). */
  headers: Headers;
  /** Lowercase names of the signed headers. */
  signedHeaders: string[];
  /** Hex SHA-256 of the body. */
  payloadHash: string;
}

/** The canonical request text. */
export function canonicalRequest(input: CanonicalRequestInput): string {
  const names = [...input.signedHeaders].map((n) => n.toLowerCase()).sort();
  const headerLines = names.map((n) => `${n}:${canonicalValue(input.headers.get(n) ?? "")}\n`).join("");
  return [
    input.method.toUpperCase(),
    canonicalUri(input.pathname),
    canonicalQuery(input.search),
    headerLines,
    names.join(";"),
    input.payloadHash,
  ].join("\n");
}

/** The credential scope `<date>/<region>/<service>/aws4_request`. */
export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/aws4_request`;
}

/** The signature (hex) of a canonical request. */
export async function signature(
  secretAccessKey: string,
  amzDate: string,
  scope: { date: string; region: string; service: string },
  canonical: string,
): Promise<string> {
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    credentialScope(scope.date, scope.region, scope.service),
    await sha256Hex(canonical),
  ].join("\n");
  let key = await hmac(encoder.encode(`AWS4${secretAccessKey}`), scope.date);
  key = await hmac(key, scope.region);
  key = await hmac(key, scope.service);
  key = await hmac(key, "aws4_request");
  return hex(await hmac(key, stringToSign));
}

/** A parsed `Authorization: AWS4-HMAC-SHA256 …` header. */
export interface ParsedAuthorization {
  /** Access key id from the credential. */
  accessKeyId: string;
  /** `YYYYMMDD` of the scope. */
  date: string;
  /** Scope region. */
  region: string;
  /** Scope service. */
  service: string;
  /** Lowercase signed header names. */
  signedHeaders: string[];
  /** Hex signature. */
  signature: string;
}

/** Parses an Authorization header; a string describing what is missing when it is malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | string {
  const trimmed = header.trim();
  if (!trimmed.startsWith("AWS4-HMAC-SHA256 ")) {
    return "Authorization header requires the 'AWS4-HMAC-SHA256' algorithm";
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice("AWS4-HMAC-SHA256 ".length).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ["Credential", "SignedHeaders", "Signature"].filter((f) => !fields.get(f));
  if (missing.length > 0) {
    return missing.map((f) => `Authorization header requires '${f}' parameter.`).join(" ");
  }
  const credential = fields.get("Credential")!.split("/");
  if (credential.length !== 5 || credential[4] !== "aws4_request" || credential.some((p) => p === "")) {
    return `Credential should be scoped to a valid region, not '${credential[2] ?? ""}'.`;
  }
  const [accessKeyId, date, region, service] = credential as [string, string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: fields.get("SignedHeaders")!.split(";").map((h) => h.toLowerCase()),
    signature: fields.get("Signature")!.toLowerCase(),
  };
}

/** `YYYYMMDDTHHMMSSZ` of a date. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Parses `YYYYMMDDTHHMMSSZ` into epoch ms, or undefined. */
export function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** Inputs of {@linkcode signRequest}. */
export interface SignRequestInput {
  /** HTTP method. */
  method: string;
  /** Full URL. */
  url: string | URL;
  /** Headers to sign; Host, X-Amz-Date, X-Amz-Security-Token and Authorization are added. */
  headers: Headers;
  /** Body. */
  body: string | Uint8Array;
  /** Credentials. */
  accessKeyId: string;
  /** Secret. */
  secretAccessKey: string;
  /** Session token of temporary credentials. */
  sessionToken?: string;
  /** Signing region. */
  region: string;
  /** Signing service. */
  service: string;
  /** Signing time (default now). */
  date?: Date;
}

/** Signs a request in place (adds the SigV4 headers). Fetch sets Host from the URL, so it is signed as such. */
export async function signRequest(input: SignRequestInput): Promise<void> {
  const url = new URL(input.url);
  const when = amzDate(input.date ?? new Date());
  input.headers.set("host", url.host);
  input.headers.set("x-amz-date", when);
  if (input.sessionToken) input.headers.set("x-amz-security-token", input.sessionToken);
  const signedHeaders = [...input.headers.keys()].map((k) => k.toLowerCase()).sort();
  const canonical = canonicalRequest({
    method: input.method,
    pathname: url.pathname,
    search: url.search,
    headers: input.headers,
    signedHeaders,
    payloadHash: await sha256Hex(input.body),
  });
  const scope = { date: when.slice(0, 8), region: input.region, service: input.service };
  const sig = await signature(input.secretAccessKey, when, scope, canonical);
  input.headers.set(
    "authorization",
    `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${
      credentialScope(scope.date, scope.region, scope.service)
    }, SignedHeaders=${signedHeaders.join(";")}, Signature=${sig}`,
  );
}
