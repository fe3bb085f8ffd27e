/**
 * How the WebAuthn and U2F factor handlers get a security key: the app layer hands over an opener
 * that imports src/fido lazily. The key's contract (request, assertion, authenticator) has its one
 * home in src/fido/authenticator.ts; a type-only import costs nothing at run time.
 *
 * @module
 */

import type { Authenticator } from "../../fido/authenticator.ts";

/** Opens the security key; called only when a FIDO factor is verified. */
export type SecurityKeyOpener = () => Promise<Authenticator>;
