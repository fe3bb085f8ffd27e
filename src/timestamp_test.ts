import assert from "node:assert/strict";
import fc from "fast-check";
import { formatTimestamp, parseTimestamp } from "./timestamp.ts";

const digits = (n: number, max: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, "0"));

/** RFC 3339-shaped strings, with fields out of range as often as in it. */
const rfc3339Shaped = fc.record({
  year: digits(4, 9999),
  month: digits(2, 14),
  day: digits(2, 33),
  t: fc.constantFrom("T", "t"),
  hour: digits(2, 25),
  minute: digits(2, 61),
  second: digits(2, 61),
  // Up to nanoseconds, as Go writes: V8 misreads 10 or more digits ("00.0003000000" as 3 ms).
  fraction: fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
  zone: fc.oneof(
    fc.constantFrom("Z", "z"),
    fc.tuple(fc.constantFrom("+", "-"), digits(2, 25), digits(2, 61)).map(([s, h, m]) => `${s}${h}:${m}`),
  ),
}).map((p) =>
  `${p.year}-${p.month}-${p.day}${p.t}${p.hour}:${p.minute}:${p.second}${
    p.fraction === undefined ? "" : `.${p.fraction}`
  }${p.zone}`
);

Deno.test("parseTimestamp agrees with Date.parse on every RFC 3339-shaped string", () => {
  fc.assert(
    fc.property(rfc3339Shaped, (text) => {
      assert.ok(Object.is(parseTimestamp(text), Date.parse(text)), text);
    }),
    { numRuns: 20_000 },
  );
});

Deno.test("parseTimestamp: what Go and STS write, and what it refuses that Date.parse takes", () => {
  assert.equal(parseTimestamp("2024-05-01T13:00:00Z"), Date.UTC(2024, 4, 1, 13));
  assert.equal(parseTimestamp("2026-12-03T09:00:00.123456789-08:00"), Date.UTC(2026, 11, 3, 17, 0, 0, 123));
  assert.equal(parseTimestamp("2024-02-29T24:00:00Z"), Date.UTC(2024, 2, 1));
  assert.equal(parseTimestamp("2024-01-01T00:00:00.0003000000Z"), Date.UTC(2024, 0, 1));
  for (
    const loose of [
      "May 1 2024",
      "2024-05-01",
      "2024-05-01T13:00Z",
      " 2024-05-01T13:00:00Z",
      "2024-05-01T13:00:00",
    ]
  ) {
    assert.ok(Number.isNaN(parseTimestamp(loose)), loose);
  }
});

Deno.test("formatTimestamp is toISOString without milliseconds, for any time in years 0000-9999", () => {
  const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  fc.assert(
    fc.property(fc.integer({ min: new Date("0000-01-01T00:00:00Z").getTime(), max }), (ms) => {
      assert.equal(formatTimestamp(ms), new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"));
    }),
    { numRuns: 20_000 },
  );
  for (const ms of [0, -1, 951_782_400_000, 4_107_542_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999)]) {
    assert.equal(formatTimestamp(ms), new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"));
  }
  assert.equal(formatTimestamp(Date.UTC(10_000, 0, 1)), "+010000-01-01T00:00:00Z");
  assert.throws(() => formatTimestamp(NaN), RangeError);
});
