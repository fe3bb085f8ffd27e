import assert from "node:assert/strict";
import { AppError } from "../../errors.ts";
import { StsError } from "../../aws/sts_errors.ts";
import type { AppContext } from "../context.ts";
import { REMEMBER_MS, withLongestSession } from "./session_length.ts";
import { NO_IO } from "../test_support.ts";

const ROLE = "arn:aws:iam::123456789012:role/Engineer";
const REFUSAL = new StsError(
  `AWS rejected AssumeRoleWithSAML for "${ROLE}": The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
  "ValidationError",
  400,
);

async function world() {
  const dir = await Deno.makeTempDir();
  let now = Date.parse("2026-12-03T08:00:00Z");
  const said: string[] = [];
  const ctx: AppContext = {
    env: { get: (name) => (name === "AWS_OKTA_LOCK_DIR" ? `${dir}/locks` : undefined), toObject: () => ({}) },
    prompter: {
      text: () => Promise.reject(new Error("no")),
      secret: () => Promise.reject(new Error("no")),
      choose: () => Promise.reject(new Error("no")),
      say: (message) => said.push(message),
    },
    debug: () => {},
    now: () => new Date(now),
    home: dir,
    options: { debug: false, sessionCacheSingleItem: false },
    ...NO_IO,
  };
  /** An STS stand-in whose role allows `max` seconds; records what was asked. */
  const asked: number[] = [];
  let max = 3600;
  const call = (seconds: number) => {
    asked.push(seconds);
    return seconds > max ? Promise.reject(REFUSAL) : Promise.resolve(`creds for ${seconds}`);
  };
  return {
    ctx,
    said,
    asked,
    call,
    setMax: (value: number) => max = value,
    advance: (ms: number) => now += ms,
    close: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("session length: the app's 12h refused by a 1h role is retried at 1h once, then asked for at 1h", async () => {
  const w = await world();
  try {
    assert.equal(await withLongestSession(w.ctx, ROLE, { seconds: 43200 }, w.call), "creds for 3600");
    assert.deepEqual(w.asked, [43200, 3600]);
    assert.equal(w.said.length, 1);
    assert.match(w.said[0]!, /allows no 12h sessions.*using 1h/);
    // Remembered: the next login does not pay the refused call; other roles are unaffected.
    w.asked.length = 0;
    assert.equal(await withLongestSession(w.ctx, ROLE, { seconds: 43200 }, w.call), "creds for 3600");
    assert.deepEqual(w.asked, [3600]);
    w.asked.length = 0;
    await withLongestSession(w.ctx, "arn:aws:iam::1:role/Other", { seconds: 43200 }, w.call);
    assert.deepEqual(w.asked, [43200, 3600]);
    // A day later the role may allow more: the longer length is tried again, and kept when it works.
    w.setMax(43200);
    w.advance(REMEMBER_MS + 1);
    w.asked.length = 0;
    assert.equal(await withLongestSession(w.ctx, ROLE, { seconds: 43200 }, w.call), "creds for 43200");
    assert.deepEqual(w.asked, [43200]);
  } finally {
    await w.close();
  }
});

Deno.test("session length: a length the user asked for keeps the error, naming their setting", async () => {
  const w = await world();
  try {
    await assert.rejects(
      withLongestSession(w.ctx, ROLE, { seconds: 7200, userSetting: "--aws-session-duration" }, w.call),
      (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.match(error.message, /exceeds the MaxSessionDuration/);
        assert.match(error.hint ?? "", /^lower --aws-session-duration, or raise the role's maximum/);
        return true;
      },
    );
    assert.deepEqual(w.asked, [7200], "no retry");
    // Other failures pass through untouched, and 1h itself is never retried.
    const denied = new StsError("AWS denied", "AccessDenied", 403);
    await assert.rejects(
      withLongestSession(w.ctx, ROLE, { seconds: 43200 }, () => Promise.reject(denied)),
      denied,
    );
    w.setMax(900);
    w.asked.length = 0;
    await assert.rejects(withLongestSession(w.ctx, ROLE, { seconds: 3600 }, w.call), REFUSAL);
    assert.deepEqual(w.asked, [3600]);
  } finally {
    await w.close();
  }
});
