/**
 * Builds the process's one fetch stack from the environment: AWS_CA_BUNDLE adds a CA, and the
 * proxies come from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (Deno's fetch reads them itself).
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { createFetch, type Fetch } from "../net/fetch.ts";
import type { AppContext } from "./context.ts";
import { VERSION } from "../version.ts";

/** Creates the fetch used for Okta and STS alike. */
export async function buildFetch(ctx: AppContext): Promise<Fetch> {
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
  const timeout = Number(ctx.env.get("AWS_OKTA_HTTP_TIMEOUT_SECONDS") ?? "");
  return createFetch({
    caCerts,
    debug: ctx.debug,
    userAgent: `aws-okta/${VERSION} (deno ${Deno.version.deno}; ${Deno.build.os}; ${Deno.build.arch})`,
    ...(timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
  });
}
