/**
 * Test helpers for the use cases: the context parts a test does not expect to be used. Used by the
 * unit tests here; never by the CLI.
 *
 * @module
 */

import type { AppContext } from "./context.ts";

/** The keyring, fetch and locks of a context whose test needs none of them: any use fails the test. */
export const NO_IO: Pick<AppContext, "openKeyring" | "buildFetch" | "locker"> = {
  openKeyring: () => Promise.reject(new Error("this test opens no keyring")),
  buildFetch: () => Promise.reject(new Error("this test makes no HTTP request")),
  locker: () => {
    throw new Error("this test takes no lock");
  },
};
