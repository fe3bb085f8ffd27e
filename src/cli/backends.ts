/**
 * `aws-okta backends`: lists the keyring backends, whether each is usable here, and the one
 * commands will use.
 *
 * @module
 */

import type { BackendListing } from "../app/backends.ts";
import { defineCommand } from "./framework/command.ts";
import { appContext } from "./context.ts";
import { writeStdout } from "./output.ts";

/** The table `backends` prints. */
export function backendsTable(listing: BackendListing): string {
  const width = Math.max(...listing.backends.map((s) => s.name.length), "BACKEND".length) + 2;
  const lines = [`  ${"BACKEND".padEnd(width)}USABLE  DETAIL`];
  for (const status of listing.backends) {
    const mark = status.name === listing.selected ? "* " : "  ";
    const detail = status.usable || !status.hint ? status.detail : `${status.detail}; ${status.hint}`;
    lines.push(`${mark}${status.name.padEnd(width)}${(status.usable ? "yes" : "no").padEnd(8)}${detail}`);
  }
  lines.push("");
  if (listing.selected) {
    const how = listing.reason === "chosen"
      ? "chosen with --backend or AWS_OKTA_BACKEND"
      : "the first usable one";
    lines.push(`* ${listing.selected} will be used (${how})`);
  } else {
    const next = listing.reason === "chosen" ? "choose another" : "choose one";
    lines.push(`No backend will be used: ${listing.problem ?? "none is usable"}; ${next} with --backend`);
  }
  return `${lines.join("\n")}\n`;
}

/** The backends command. */
export const backendsCommand = defineCommand({
  name: "backends",
  summary: "List keyring backends and whether each is usable here",
  description:
    "backends lists the keyring backends in the order aws-okta tries them, says whether each is usable\n" +
    "on this machine (and why not), and marks the one commands will use.",
  flags: [{ name: "json", type: "boolean", description: "Print JSON instead of a table" }],
  examples: [{ description: "Check which keyring aws-okta will use", command: "aws-okta backends" }],
  action: async (input) => {
    const ctx = appContext(input, "auto");
    const { listBackends } = await import("../app/backends.ts");
    const listing = await listBackends(ctx);
    writeStdout(
      input.flags.json ? `${JSON.stringify(listing, null, 2)}\n` : backendsTable(listing),
    );
  },
});
