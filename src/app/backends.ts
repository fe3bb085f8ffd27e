/**
 * `aws-okta backends`: every keyring backend, whether it is usable here, and which one a command
 * would use (the chosen one, or the first usable in aws-okta's order).
 *
 * @module
 */

import { BackendProber, type BackendStatus } from "../keyring/probe.ts";
import { BACKENDS } from "../keyring/select.ts";
import type { AppContext } from "./context.ts";

/** The result of {@linkcode listBackends}. */
export interface BackendListing {
  /** Every backend, in aws-okta's order of preference. */
  backends: BackendStatus[];
  /** The backend a command would use; undefined when it would stop with an error instead. */
  selected: string | undefined;
  /** How `selected` was decided: "chosen" (--backend / AWS_OKTA_BACKEND) or "first usable". */
  reason: "chosen" | "first usable";
  /** Why no backend would be used, when `selected` is undefined. */
  problem?: string;
}

/** Probes every backend (the session bus at most once, with its deadline). */
export async function listBackends(
  ctx: AppContext,
  prober: Pick<BackendProber, "all" | "close"> = new BackendProber({ home: ctx.home, env: ctx.env }),
): Promise<BackendListing> {
  const backends = await prober.all().finally(() => prober.close());
  const chosen = ctx.options.backend;
  if (chosen) {
    const status = backends.find((s) => s.name === chosen);
    const listing: BackendListing = {
      backends,
      selected: status?.usable ? chosen : undefined,
      reason: "chosen",
    };
    if (!status) listing.problem = `unknown keyring backend "${chosen}"; use one of: ${BACKENDS.join(", ")}`;
    else if (!status.usable) listing.problem = `${chosen}: ${status.detail}`;
    return listing;
  }
  const listing: BackendListing = { backends, selected: undefined, reason: "first usable" };
  for (const status of backends) {
    if (status.hung) {
      listing.problem = `${status.name}: ${status.detail}`;
      return listing;
    }
    if (status.usable) {
      listing.selected = status.name;
      return listing;
    }
  }
  return listing;
}
