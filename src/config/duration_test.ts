import assert from "node:assert/strict";
import { DurationError, formatDuration, parseDuration } from "./duration.ts";
import { AppError } from "../errors.ts";

Deno.test("parseDuration accepts Go's syntax", () => {
  const cases: [string, number][] = [
    ["1h", 3600],
    ["90m", 5400],
    ["1h30m", 5400],
    ["3600s", 3600],
    ["1.5h", 5400],
    [".5h", 1800],
    ["5.m", 300],
    ["+2h", 7200],
    ["1h0m0s", 3600],
    ["12h", 43200],
    ["1500ms", 1],
    ["1999999999ns", 1],
    ["2000000us", 2],
    ["2000000\u00b5s", 2],
    ["2000000\u03bcs", 2],
    ["1.9s", 1],
    ["0.3h", 1080],
    ["1m1m", 120],
  ];
  for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text);
});

Deno.test("parseDuration reads a plain integer as seconds", () => {
  assert.equal(parseDuration("3600"), 3600);
  assert.equal(parseDuration("0"), 0);
  assert.equal(parseDuration("007"), 7);
});

Deno.test("parseDuration gives 0 for zero in any spelling", () => {
  for (const text of ["0", "0s", "0h0m", "0.0h", "+0"]) assert.equal(parseDuration(text), 0, text);
});

Deno.test("parseDuration rejects garbage with the documented message", () => {
  const bad = [
    "",
    "abc",
    "h",
    "1.5",
    "1x",
    "1h30",
    "-1h",
    "1 h",
    " 1h",
    "1h ",
    ".h",
    "1..5h",
    "1e3s",
    "+",
    "-0",
  ];
  for (const text of bad) {
    assert.throws(() => parseDuration(text), (e: unknown) => {
      assert.ok(e instanceof DurationError && e instanceof AppError, text);
      assert.equal(e.exitCode, 1);
      assert.equal(e.message, `invalid duration "${text}": use a number with a unit, e.g. 1h, 90m or 3600s`);
      return true;
    });
  }
});

Deno.test("parseDuration rejects values under one second", () => {
  for (const text of ["500ms", "0.5s", "999999999ns"]) {
    assert.throws(() => parseDuration(text), (e: unknown) => {
      assert.ok(e instanceof DurationError);
      assert.equal(e.message, `invalid duration "${text}": must be at least 1s`);
      return true;
    });
  }
});

Deno.test("parseDuration rejects values beyond Go's range", () => {
  assert.equal(parseDuration("2562047h"), 2562047 * 3600);
  assert.throws(() => parseDuration("2562048h"), DurationError);
  assert.throws(() => parseDuration("99999999999999999999"), DurationError);
});

Deno.test("formatDuration writes the shortest Go-like form", () => {
  const cases: [number, string][] = [
    [3600, "1h"],
    [5400, "1h30m"],
    [2700, "45m"],
    [90, "90s"],
    [0, "0s"],
    [59, "59s"],
    [60, "1m"],
    [43200, "12h"],
    [3661, "3661s"],
    [3600.9, "1h"],
    [-5, "0s"],
  ];
  for (const [seconds, text] of cases) assert.equal(formatDuration(seconds), text, String(seconds));
});

Deno.test("formatDuration round-trips through parseDuration", () => {
  for (let s = 0; s < 20000; s += 7) assert.equal(parseDuration(formatDuration(s)), s);
});
