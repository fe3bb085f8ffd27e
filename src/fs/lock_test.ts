import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { createLocker } from "./lock.ts";

Deno.test("createLocker: a lock held past maxWaitMs is given up with one line naming the lock", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-lock-" });
  try {
    // Two lockers open the file separately, so their OS locks conflict as two processes' would.
    const holder = createLocker({ dir });
    const waits: string[] = [];
    const waiter = createLocker({ dir, maxWaitMs: 120, onWait: (name) => waits.push(name) });
    let release!: () => void;
    const released = new Promise<void>((resolve) => release = resolve);
    let entered!: () => void;
    const held = new Promise<void>((resolve) => entered = resolve);
    const holding = holder("okta acme", async () => {
      entered();
      await released;
    });
    await held;
    let ran = false;
    const error = await waiter("okta acme", () => {
      ran = true;
      return Promise.resolve();
    }).catch((e) => e);
    release();
    await holding;
    assert.ok(error instanceof AppError, `expected an AppError, got ${error}`);
    assert.equal(error.message, 'another aws-okta process has held the "okta acme" login lock for too long');
    assert.match(error.hint ?? "", /waiting for MFA/);
    assert.equal(ran, false);
    assert.deepEqual(waits, ["okta acme"]);
    // Released: the same lock is taken at once.
    assert.equal(await waiter("okta acme", () => Promise.resolve("ok")), "ok");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createLocker: a waiter gets the lock when the holder finishes before the deadline", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-lock-" });
  try {
    const holder = createLocker({ dir });
    const waiter = createLocker({ dir, maxWaitMs: 60_000 });
    const order: string[] = [];
    let entered!: () => void;
    const held = new Promise<void>((resolve) => entered = resolve);
    const holding = holder("k", async () => {
      entered();
      await new Promise((resolve) => setTimeout(resolve, 100));
      order.push("holder");
    });
    await held;
    await waiter("k", () => {
      order.push("waiter");
      return Promise.resolve();
    });
    await holding;
    assert.deepEqual(order, ["holder", "waiter"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
