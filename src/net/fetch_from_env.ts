/**
 * Builds the process's one fetch stack from the environment: AWS_CA_BUNDLE adds a CA, and the
 * proxies come from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (Deno's fetch reads them itself).
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { createFetch, type Fetch } from "./fetch.ts";
import { proxyFor } from "./proxy_env.ts";
import { VERSION } from "../version.ts";
import type { EnvReader } from "../env.ts";

/**
 * How `web` and `m2m` present themselves to Okta, as okta-aws-cli does, so that Okta policy rules
 * written for okta-aws-cli (which match its User-Agent) apply to them.
 */
export interface OktaCaller {
  /** Okta's host: only requests to it carry these headers. */
  host: string;
  /** okta-aws-cli's X-Okta-Aws-Cli-Operation value. */
  operation: "web" | "m2m";
  /** `--short-user-agent`: User-Agent "okta-aws-cli". */
  shortUserAgent: boolean;
}

/** okta-aws-cli's operation header. */
export const OPERATION_HEADER = "X-Okta-Aws-Cli-Operation";

/** What {@linkcode buildFetch} reads: the process environment and the (redacted) debug sink. */
export interface FetchEnvironment {
  /** The process environment. */
  env: EnvReader;
  /** Debug sink for redacted lines. */
  debug: (line: string) => void;
}

/** Creates the fetch used for Okta and STS alike. */
export async function buildFetch(ctx: FetchEnvironment, caller?: OktaCaller): Promise<Fetch> {
  const caCerts: string[] = [];
  const bundle = ctx.env.get("AWS_CA_BUNDLE");
  if (bundle) {
    try {
      caCerts.push(await Deno.readTextFile(bundle));
    } catch (error) {
      throw new AppError(`cannot read the CA bundle "${bundle}" (AWS_CA_BUNDLE)`, {
        hint: "point AWS_CA_BUNDLE at a readable PEM file, or unset it",
        cause: error,
      });
    }
  }
  const timeout = timeoutSeconds(ctx);
  return createFetch({
    caCerts,
    debug: ctx.debug,
    userAgent: `aws-okta/${VERSION} (deno ${Deno.version.deno}; ${Deno.build.os}; ${Deno.build.arch})`,
    ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
    ...(caller
      ? { headersFor: (url: URL) => url.host === caller.host ? oktaHeaders(caller) : undefined }
      : {}),
    proxyFor: (url) => proxyFor(url, (name) => ctx.env.get(name)),
  });
}

function oktaHeaders(caller: OktaCaller): Record<string, string> {
  const headers: Record<string, string> = { [OPERATION_HEADER]: caller.operation };
  if (caller.shortUserAgent) headers["User-Agent"] = "okta-aws-cli";
  return headers;
}

/** AWS_OKTA_HTTP_TIMEOUT_SECONDS; a value that is not a positive number is refused, not ignored. */
function timeoutSeconds(ctx: FetchEnvironment): number | undefined {
  const text = ctx.env.get("AWS_OKTA_HTTP_TIMEOUT_SECONDS")?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new AppError(`invalid AWS_OKTA_HTTP_TIMEOUT_SECONDS "${text}"`, {
      hint: "use a number of seconds greater than 0, e.g. 30",
      exitCode: 2,
    });
  }
  return seconds;
}
