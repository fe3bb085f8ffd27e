/**
 * RFC 3339 timestamps to and from epoch milliseconds, by integer arithmetic.
 *
 * Why not `Date`: a cached credential_process call reads one expiry and prints it, and V8's first
 * `toISOString()` in a process costs ~2 ms and ~2.5 MB of peak memory (measured in an empty
 * `deno run`), a tenth of everything the cache hit adds to an empty run. `Date.now()` and
 * `new Date(ms)` stay cheap; it is the calendar breakdown behind the string methods that is not.
 * Both functions are checked against `Date.parse` and `toISOString` (timestamp_test.ts).
 *
 * @module
 */

const MS_PER_DAY = 86_400_000;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch milliseconds of an RFC 3339 time (`2024-05-01T13:00:00Z`, fractional seconds and numeric
 * offsets allowed, as Go and STS write them), or NaN when `text` is not one. Agrees with
 * `Date.parse` on every such string: fractions are cut to milliseconds, a day past the end of its
 * month runs into the next, and `24:00:00` is the next midnight.
 */
export function parseTimestamp(text: string): number {
  const m = RFC3339.exec(text);
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || minute > 59 || second > 59) return NaN;
  if (hour > 24 || (hour === 24 && (minute || second || ms))) return NaN;
  let offsetMinutes = 0;
  if (m[9]) {
    const [offsetHours, offsetMins] = [Number(m[10]), Number(m[11])];
    if (offsetHours > 23 || offsetMins > 59) return NaN;
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return daysFromCivil(year, month, day) * MS_PER_DAY +
    ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + ms;
}

/**
 * `2024-05-01T13:00:00Z`: the UTC time of `ms` to the second (milliseconds cut, as
 * `toISOString()` with them removed), the form the AWS CLI and aws-okta print. Throws RangeError
 * for a non-finite time, as `toISOString()` does.
 */
export function formatTimestamp(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError("invalid time value");
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const [year, month, day] = civilFromDays(days);
  // Years outside 0000-9999 need the expanded form; no credential lives there.
  if (year < 0 || year > 9999) return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
  const clock = seconds - days * 86_400;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(Math.floor(clock / 3600), 2)}:${
    pad(Math.floor(clock / 60) % 60, 2)
  }:${pad(clock % 60, 2)}Z`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

// Days from 1970-01-01 to a proleptic Gregorian date and back, counting in 400-year eras of
// 146097 days from 0000-03-01 so that the leap day ends each year (H. Hinnant's algorithms).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}
