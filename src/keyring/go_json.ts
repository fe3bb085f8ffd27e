/**
 * JSON written the way Go's encoding/json writes it, so files we store are byte-for-byte what Go
 * aws-okta would have stored for the same values. Readers on either side accept both forms; this
 * only keeps the stores indistinguishable.
 *
 * @module
 */

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * `JSON.stringify` plus Go's HTML-safe escaping of `<`, `>`, `&`, U+2028 and U+2029. Those
 * characters can only occur inside string literals of JSON text, so replacing them everywhere is
 * safe. Key order is the insertion order of `value`, so callers build objects in Go's field order.
 */
export function goJsonStringify(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/**
 * Go's `time.Time.String()` layout ("2006-01-02 15:04:05.999999999 -0700 MST") in UTC, used for the
 * informational "created" JWE header that 99designs/keyring writes.
 */
export function goTimeString(date: Date): string {
  const iso = date.toISOString(); // 2024-01-02T03:04:05.678Z
  const day = iso.slice(0, 10);
  const clock = iso.slice(11, 19);
  const fraction = iso.slice(20, 23).replace(/0+$/, "");
  return `${day} ${clock}${fraction ? `.${fraction}` : ""} +0000 UTC`;
}
