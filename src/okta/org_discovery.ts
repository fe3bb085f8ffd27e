/**
 * Org discovery: `GET /.well-known/okta-organization` tells a Classic Engine org (`pipeline` "v1")
 * from an Identity Engine one ("idx"). The device flow only works on the latter.
 *
 * @module
 */

import type { Fetch } from "../net/fetch.ts";

/** The org's engine, or undefined when the org did not say. */
export type OktaPipeline = "idx" | "v1";

/**
 * Asks the org which engine it runs. A failed or odd answer is undefined, not an error: the caller
 * decides what an unknown engine means (okta-aws-cli ignores failures of this call too).
 */
export async function discoverPipeline(
  fetch: Fetch,
  baseUrl: URL,
  debug: (line: string) => void = () => {},
): Promise<OktaPipeline | undefined> {
  const url = new URL("/.well-known/okta-organization", baseUrl);
  try {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    const text = await response.text();
    if (response.status !== 200) {
      debug(`okta: org discovery answered HTTP ${response.status}`);
      return undefined;
    }
    const body = JSON.parse(text) as { pipeline?: unknown };
    if (body.pipeline === "idx" || body.pipeline === "v1") return body.pipeline;
    debug("okta: org discovery named no known pipeline");
    return undefined;
  } catch (error) {
    debug(`okta: org discovery failed: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
    return undefined;
  }
}
