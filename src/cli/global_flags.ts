/**
 * The global flags: accepted by every command, before or after its name. Their values reach the
 * use cases through the context (src/cli/context.ts); their types reach every command's action
 * (see `GlobalFlagValues` in command.ts).
 *
 * @module
 */

import { defineFlags } from "./framework/command.ts";

/** Flags every command accepts, before or after the command name (aws-okta's persistent flags). */
export const GLOBAL_FLAGS = defineFlags([
  {
    name: "backend",
    short: "b",
    type: "string",
    valueName: "NAME",
    description: "Secret backend to use",
    env: ["AWS_OKTA_BACKEND"],
    complete: "backend",
    global: true,
  },
  {
    name: "debug",
    short: "d",
    type: "boolean",
    description: "Enable debug logging (secrets redacted)",
    global: true,
  },
  {
    name: "mfa-provider",
    type: "string",
    valueName: "PROVIDER",
    description: "MFA provider to use (e.g. OKTA, GOOGLE, DUO, SYMANTEC, YUBICO, FIDO)",
    suggest: ["OKTA", "GOOGLE", "DUO", "SYMANTEC", "YUBICO", "FIDO"],
    env: ["AWS_OKTA_MFA_PROVIDER"],
    global: true,
  },
  {
    name: "mfa-factor-type",
    type: "string",
    valueName: "TYPE",
    description: "MFA factor type to use (e.g. push, token:software:totp, sms, call, email, web, webauthn)",
    suggest: [
      "push",
      "token:software:totp",
      "token:hardware",
      "token",
      "sms",
      "call",
      "email",
      "web",
      "u2f",
      "webauthn",
    ],
    env: ["AWS_OKTA_MFA_FACTOR_TYPE"],
    global: true,
  },
  {
    name: "mfa-duo-device",
    type: "string",
    valueName: "DEVICE",
    description: 'Duo device to use: phone1, phone2, u2f or token (default "phone1")',
    suggest: ["phone1", "phone2", "u2f", "token"],
    env: ["AWS_OKTA_MFA_DUO_DEVICE"],
    global: true,
  },
  {
    name: "session-cache-single-item",
    type: "boolean",
    description: "Keep all cached sessions in one keyring item",
    env: ["AWS_OKTA_SESSION_CACHE_SINGLE_ITEM"],
    global: true,
  },
]);
