/**
 * The `/__sim/` control API, so `make demo` and out-of-process tools can drive a running
 * simulator: counts, reset, push decisions, clock, faults.
 *
 * @module
 */

import type { SimFault } from "./faults.ts";
import { json, type Route, type SimContext } from "./http.ts";
import type { SimState } from "./state.ts";

/** A decision for pending pushes. */
export type PushVerdict = "approve" | "reject" | "timeout";

/**
 * Decides every push that is waiting (optionally only for one login); the next poll of each
 * shows the result. Returns how many pushes were decided.
 */
export function decidePush(state: SimState, decision: PushVerdict, login?: string): number {
  let decided = 0;
  for (const tx of state.transactions.values()) {
    if (tx.push?.result !== "WAITING") continue;
    if (login !== undefined && state.userById(tx.userId)?.login.toLowerCase() !== login.toLowerCase()) {
      continue;
    }
    tx.push.decided = decision;
    decided += 1;
  }
  return decided;
}

function isVerdict(value: string | undefined): value is PushVerdict {
  return value === "approve" || value === "reject" || value === "timeout";
}

async function readJson(ctx: SimContext): Promise<unknown> {
  const text = await ctx.bodyText();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function push(ctx: SimContext): Response {
  const decision = ctx.params.decision;
  if (!isVerdict(decision)) {
    return json({ error: `unknown push decision "${decision}": use approve, reject or timeout` }, 400);
  }
  const login = ctx.url.searchParams.get("login") ?? undefined;
  return json({ decided: decidePush(ctx.state, decision, login) });
}

async function clock(ctx: SimContext): Promise<Response> {
  const body = await readJson(ctx) as { advanceMs?: unknown } | null | undefined;
  if (typeof body?.advanceMs !== "number") return json({ error: 'expected {"advanceMs": <number>}' }, 400);
  ctx.state.clockOffsetMs += body.advanceMs;
  return json({ clockOffsetMs: ctx.state.clockOffsetMs });
}

/** Revokes or expires issued STS credentials: all, or those of `{"accessKeyId"}` / `{"roleArn"}`. */
async function endCredentials(ctx: SimContext): Promise<Response> {
  const how = ctx.params.how;
  if (how !== "revoke" && how !== "expire") {
    return json({ error: `unknown action "${how}": use revoke or expire` }, 400);
  }
  const body = await readJson(ctx) as { accessKeyId?: unknown; roleArn?: unknown } | null | undefined;
  if (body === null) return json({ error: "expected a JSON object" }, 400);
  const changed = ctx.state.endCredentials(
    how,
    (c) =>
      (body?.accessKeyId === undefined || c.accessKeyId === body.accessKeyId) &&
      (body?.roleArn === undefined || c.roleArn === body.roleArn),
  );
  return json({ [how === "revoke" ? "revoked" : "expired"]: changed });
}

async function addFaults(ctx: SimContext): Promise<Response> {
  const body = await readJson(ctx);
  const faults = (Array.isArray(body) ? body : [body]) as SimFault[];
  if (faults.some((f) => f === null || typeof f !== "object" || typeof f.match !== "string")) {
    return json({ error: 'expected a fault object or a list of them, each with a "match" string' }, 400);
  }
  ctx.state.faults.push(...faults);
  return json({ faults: ctx.state.faults.length });
}

/** The control routes (not counted, never faulted). */
export const controlRoutes: Route[] = [
  { method: "GET", pattern: "/__sim/counts", handler: (ctx) => json(ctx.state.counts()) },
  {
    method: "POST",
    pattern: "/__sim/reset",
    handler: (ctx) => {
      ctx.state.reset();
      return json({ ok: true });
    },
  },
  { method: "POST", pattern: "/__sim/push/:decision", handler: push },
  { method: "POST", pattern: "/__sim/clock", handler: clock },
  { method: "POST", pattern: "/__sim/faults", handler: addFaults },
  { method: "POST", pattern: "/__sim/credentials/:how", handler: endCredentials },
  {
    method: "DELETE",
    pattern: "/__sim/faults",
    handler: (ctx) => {
      ctx.state.faults.length = 0;
      return json({ faults: 0 });
    },
  },
];
