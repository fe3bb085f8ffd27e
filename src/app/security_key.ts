/**
 * Which security key a WebAuthn or U2F factor uses: a USB key through libfido2, or, for tests and
 * demos, the software key named by AWS_OKTA_FIDO_SOFTWARE_KEY. Both are imported lazily, so that
 * neither the FFI binding nor WebCrypto key loading costs anything unless a FIDO factor is verified.
 *
 * @module
 */

import type { SecurityKey, SecurityKeyOpener } from "../okta/security_key.ts";
import type { AppContext } from "./context.ts";

/** The environment variable that selects the software key (testing only). */
export const SOFTWARE_KEY_ENV = "AWS_OKTA_FIDO_SOFTWARE_KEY";
/** The environment variable that names the libfido2 library file. */
export const LIBFIDO2_ENV = "AWS_OKTA_LIBFIDO2";

/** Returns the opener the Okta login calls when a FIDO factor needs a key. */
export function securityKeyOpener(ctx: AppContext): SecurityKeyOpener {
  return async (): Promise<SecurityKey> => {
    const software = ctx.env.get(SOFTWARE_KEY_ENV);
    if (software) {
      const { SoftwareSecurityKey } = await import("../fido/software_key.ts");
      ctx.prompter.say(
        `Using the software security key "${software}" (${SOFTWARE_KEY_ENV}, for testing only)`,
      );
      return await SoftwareSecurityKey.load(software);
    }
    const [{ loadLibfido2 }, { UsbSecurityKey }] = await Promise.all([
      import("../fido/libfido2.ts"),
      import("../fido/usb_key.ts"),
    ]);
    const api = loadLibfido2(ctx.env.get(LIBFIDO2_ENV) || undefined);
    ctx.debug("fido: libfido2 loaded");
    return new UsbSecurityKey(api, {
      say: (message) => ctx.prompter.say(message),
      secret: (question) => ctx.prompter.secret(question),
    });
  };
}
