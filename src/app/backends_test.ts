import assert from "node:assert/strict";
import type { BackendName, BackendStatus } from "../keyring/probe.ts";
import { listBackends } from "./backends.ts";
import type { AppContext } from "./context.ts";
import { NO_IO } from "./test_support.ts";

function context(backend?: string): AppContext {
  const ctx: AppContext = {
    env: { get: () => undefined, toObject: () => ({}) },
    prompter: {
      text: () => Promise.reject(new Error("no prompts")),
      secret: () => Promise.reject(new Error("no prompts")),
      choose: () => Promise.reject(new Error("no prompts")),
      say: () => {},
    },
    debug: () => {},
    now: () => new Date(0),
    home: "/home/u",
    options: { debug: false, sessionCacheSingleItem: false },
    ...NO_IO,
  };
  if (backend) ctx.options.backend = backend;
  return ctx;
}

const ORDER: BackendName[] = ["wincred", "keychain", "secret-service", "kwallet", "pass", "file"];

function prober(overrides: Partial<Record<BackendName, Partial<BackendStatus>>>) {
  let closed = false;
  return {
    closed: () => closed,
    all: () =>
      Promise.resolve(ORDER.map((name) => ({ name, usable: false, detail: "n/a", ...overrides[name] }))),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
}

Deno.test("the first usable backend is selected, and the prober is closed", async () => {
  const fake = prober({ pass: { usable: true, detail: "store" }, file: { usable: true, detail: "files" } });
  const listing = await listBackends(context(), fake);
  assert.equal(listing.selected, "pass");
  assert.equal(listing.reason, "first usable");
  assert.equal(fake.closed(), true);
});

Deno.test("a hung bus means no backend, with the reason", async () => {
  const listing = await listBackends(
    context(),
    prober({
      "secret-service": {
        hung: true,
        detail: 'D-Bus session bus "x" did not answer within 3000 ms',
        hint: "use --backend file",
      },
      file: { usable: true },
    }),
  );
  assert.equal(listing.selected, undefined);
  assert.equal(listing.problem, `secret-service: D-Bus session bus "x" did not answer within 3000 ms`);
});

Deno.test("a chosen backend is reported as chosen, usable or not", async () => {
  const usable = await listBackends(context("file"), prober({ file: { usable: true } }));
  assert.deepEqual([usable.selected, usable.reason], ["file", "chosen"]);
  const unusable = await listBackends(
    context("kwallet"),
    prober({ kwallet: { detail: "no KWallet daemon" } }),
  );
  assert.equal(unusable.selected, undefined);
  assert.equal(unusable.problem, "kwallet: no KWallet daemon");
  const unknown = await listBackends(context("vault"), prober({}));
  assert.match(unknown.problem ?? "", /^unknown keyring backend "vault"; use one of: wincred, /);
});
