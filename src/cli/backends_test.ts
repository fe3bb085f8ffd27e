import assert from "node:assert/strict";
import type { BackendListing } from "../app/backends.ts";
import type { BackendName } from "../keyring/probe.ts";
import { backendsTable } from "./backends.ts";

const ORDER: BackendName[] = ["wincred", "keychain", "secret-service", "kwallet", "pass", "file"];

function listing(extra: Partial<BackendListing>, usable: BackendName[] = ["file"]): BackendListing {
  return {
    backends: ORDER.map((name) =>
      usable.includes(name)
        ? { name, usable: true, detail: `${name} here` }
        : { name, usable: false, detail: `no ${name}`, hint: "use --backend file" }
    ),
    selected: undefined,
    reason: "first usable",
    ...extra,
  };
}

Deno.test("the table aligns columns, marks the selected backend and says why", () => {
  assert.equal(
    backendsTable(listing({ selected: "pass" }, ["pass", "file"])),
    [
      "  BACKEND         USABLE  DETAIL",
      "  wincred         no      no wincred; use --backend file",
      "  keychain        no      no keychain; use --backend file",
      "  secret-service  no      no secret-service; use --backend file",
      "  kwallet         no      no kwallet; use --backend file",
      "* pass            yes     pass here",
      "  file            yes     file here",
      "",
      "* pass will be used (the first usable one)",
      "",
    ].join("\n"),
  );
});

Deno.test("the table's last line explains a chosen backend and a missing one", () => {
  assert.match(
    backendsTable(listing({ selected: "file", reason: "chosen" })),
    /\n\* file will be used \(chosen with --backend or AWS_OKTA_BACKEND\)\n$/,
  );
  assert.match(
    backendsTable(listing({ reason: "chosen", problem: "kwallet: no kwallet" })),
    /\nNo backend will be used: kwallet: no kwallet; choose another with --backend\n$/,
  );
  assert.match(
    backendsTable(listing({ problem: "secret-service: hung" })),
    /\nNo backend will be used: secret-service: hung; choose one with --backend\n$/,
  );
});
