/**
 * Item key ⇄ file name for the file backend, matching 99designs/keyring's `percent.Encode(key, "/")`:
 * only "/" and "%" are escaped (as %2F and %25), every other character is kept.
 *
 * @module
 */

/** The file name that holds the item `key`. */
export function encodeKeyFileName(key: string): string {
  return key.replace(/[%/]/g, (c) => (c === "%" ? "%25" : "%2F"));
}

/**
 * The key stored in file `name`, or undefined when `name` cannot have come from
 * {@linkcode encodeKeyFileName} (a "%" not starting "%25" or "%2F"). Our temporary files are
 * named that way on purpose, so listings skip them.
 */
export function decodeKeyFileName(name: string): string | undefined {
  let valid = true;
  const key = name.replace(/%(.?.?)/g, (_, hex: string) => {
    const upper = hex.toUpperCase();
    if (upper === "25") return "%";
    if (upper === "2F") return "/";
    valid = false;
    return "";
  });
  return valid ? key : undefined;
}

/** A temporary file name that {@linkcode decodeKeyFileName} rejects, so no key can collide with it. */
export function tempFileName(): string {
  const random = crypto.getRandomValues(new Uint8Array(8));
  return `%tmp-${Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
