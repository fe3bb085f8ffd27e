/**
 * Opens the keyring the user chose (`--backend` / AWS_OKTA_BACKEND) or the default one, with the
 * file backend's passphrase asked through the app's prompter.
 *
 * @module
 */

import { FileKeyring } from "../../keyring/file.ts";
import type { Keyring } from "../../keyring/keyring.ts";
import { openKeyring } from "../../keyring/select.ts";
import type { AppContext } from "../context.ts";

/** Opens the keyring for this process: what the real {@linkcode AppContext.openKeyring} does. */
export function openAppKeyring(ctx: AppContext): Promise<Keyring> {
  return openKeyring({
    ...(ctx.options.backend ? { backend: ctx.options.backend } : {}),
    home: ctx.home,
    env: ctx.env,
    promptSecret: (question) => ctx.prompter.secret(question),
    debug: ctx.debug,
  });
}

/**
 * The keyring for tokens that are worth keeping but not needed (web's Okta tokens), decided before
 * any sign-in: when the keyring found is the file one and its passphrase can be neither read
 * (AWS_OKTA_FILE_PASSPHRASE) nor asked (no terminal: a bare CI runner), the tokens live in memory
 * for this run only, and one line says so, instead of failing after the user approved the sign-in.
 */
export async function openTokenKeyring(ctx: AppContext): Promise<Keyring> {
  const keyring = await ctx.openKeyring();
  if (
    !(keyring instanceof FileKeyring) || ctx.env.get("AWS_OKTA_FILE_PASSPHRASE") !== undefined ||
    ctx.prompter.canAsk?.() !== false
  ) {
    return keyring;
  }
  ctx.prompter.say(
    "Note: the Okta tokens are not kept (no keyring opens without a terminal here); " +
      "set AWS_OKTA_FILE_PASSPHRASE, or pick a keyring with AWS_OKTA_BACKEND, to keep them",
  );
  const { MemoryKeyring } = await import("../../keyring/memory.ts");
  return new MemoryKeyring();
}
