/**
 * Opens the keyring the user chose (`--backend` / AWS_OKTA_BACKEND) or the default one, with the
 * file backend's passphrase asked through the app's prompter.
 *
 * @module
 */

import type { Keyring } from "../keyring/keyring.ts";
import { openKeyring } from "../keyring/select.ts";
import type { AppContext } from "./context.ts";

/** Opens the keyring for this process. */
export function openAppKeyring(ctx: AppContext): Promise<Keyring> {
  return openKeyring({
    ...(ctx.options.backend ? { backend: ctx.options.backend } : {}),
    home: ctx.home,
    env: ctx.env,
    promptSecret: (question) => ctx.prompter.secret(question),
    debug: ctx.debug,
  });
}
