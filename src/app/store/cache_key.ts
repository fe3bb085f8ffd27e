/**
 * Cache-key names for cached sessions: `<profile> session (<20 hex>)`, aws-okta's item naming, with
 * the hex derived from everything that changes the hop's result.
 *
 * The key only has to tell a user's few dozen cached sessions apart; nothing secret depends on it
 * (the items are encrypted by the keyring). So it uses a cheap, well-mixed 106-bit non-crypto hash
 * (two 53-bit cyrb53 passes with different seeds) rather than SHA-256: this runs on every
 * cred-process call, and both WebCrypto's async digest and a JavaScript SHA-256 cost a few hundred
 * microseconds on a cold start, this a few.
 *
 * @module
 */

/** `<profile> session (<20 hex digits of a hash of the parts>)`. */
export function cacheKey(profileName: string, parts: readonly string[]): string {
  const text = parts.join("\n");
  const hex = cyrb53(text, 0x9e3779b9).toString(16).padStart(14, "0") +
    cyrb53(text, 0x85ebca6b).toString(16).padStart(14, "0");
  return `${profileName} session (${hex.slice(0, 20)})`;
}

/** cyrb53: a 53-bit string hash built on Math.imul mixing (public domain, bryc). */
export function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
