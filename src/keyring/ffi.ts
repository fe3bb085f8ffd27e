/**
 * What the keyring's `Deno.dlopen` callers (libsecret, the kernel keyring) share: C strings, and
 * keeping buffers alive across nonblocking calls.
 *
 * @module
 */

const encoder = new TextEncoder();

/** A NUL-terminated UTF-8 copy of `text`. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${text}\0`);
}

/**
 * Marks buffers as used after an awaited FFI call: a nonblocking call reads them from another
 * thread, so they must stay reachable (not collected) until it returns.
 */
export function keepAlive(..._buffers: unknown[]): void {}
