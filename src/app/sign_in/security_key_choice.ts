/**
 * Which security key a WebAuthn or U2F factor uses: a USB key through libfido2, or, for tests, the
 * software key named by AWS_OKTA_FIDO_SOFTWARE_KEY. Both are imported lazily, so that neither the
 * FFI binding nor WebCrypto key loading costs anything unless a FIDO factor is verified.
 *
 * The software key keeps its private key in a plain file: a test hook that must not sign for anyone
 * by accident. Its module is imported by a URL computed at run time, which neither `deno bundle`
 * (the launcher `make install` writes) nor `deno compile` follows: what users install does not
 * contain it, and there the variable fails with one line. Only runs from the sources have it.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { Authenticator } from "../../fido/authenticator.ts";
import type { SecurityKeyOpener } from "../../okta/factors/security_key.ts";
import type { AppContext } from "../context.ts";

type SoftwareKeyModule = typeof import("../../fido/software_key.ts");

/** The environment variable that selects the software key (testing only). */
export const SOFTWARE_KEY_ENV = "AWS_OKTA_FIDO_SOFTWARE_KEY";
/** The environment variable that names the libfido2 library file. */
export const LIBFIDO2_ENV = "AWS_OKTA_LIBFIDO2";

/** Returns the opener the Okta login calls when a FIDO factor needs a key. */
export function securityKeyOpener(ctx: AppContext): SecurityKeyOpener {
  return async (): Promise<Authenticator> => {
    const software = ctx.env.get(SOFTWARE_KEY_ENV);
    if (software) {
      const { SoftwareSecurityKey } = await importSoftwareKey();
      ctx.prompter.say(
        `Using the software security key "${software}" (${SOFTWARE_KEY_ENV}, for testing only)`,
      );
      return await SoftwareSecurityKey.load(software);
    }
    const [{ loadLibfido2 }, { UsbSecurityKey }] = await Promise.all([
      import("../../fido/libfido2.ts"),
      import("../../fido/usb_key.ts"),
    ]);
    const api = loadLibfido2(ctx.env.get(LIBFIDO2_ENV) || undefined);
    ctx.debug("fido: libfido2 loaded");
    return new UsbSecurityKey(api, {
      say: (message) => ctx.prompter.say(message),
      secret: (question) => ctx.prompter.secret(question),
    });
  };
}

/** The software key's module, present only when running from the sources (see the module doc). */
async function importSoftwareKey(): Promise<SoftwareKeyModule> {
  // Not a string literal: bundlers and `deno compile` leave the module out.
  const specifier = new URL(["..", "..", "fido", "software_key.ts"].join("/"), import.meta.url).href;
  try {
    return await import(specifier) as SoftwareKeyModule;
  } catch (error) {
    throw new AppError(
      `${SOFTWARE_KEY_ENV} is set, but this installed aws-okta has no software security key`,
      {
        hint: `it is a test hook of the sources; unset ${SOFTWARE_KEY_ENV} to use a USB security key`,
        cause: error,
      },
    );
  }
}
