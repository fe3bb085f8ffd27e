/**
 * A USB security key over {@linkcode FidoApi} (libfido2): picks the key, asks for the PIN when user
 * verification needs it, says "Touch your security key" on stderr, and turns libfido2's status codes
 * into one-line errors. Nothing here prints to stdout or keeps the PIN after the call.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Assertion, AssertionRequest, Authenticator, AuthenticatorUi } from "./authenticator.ts";
import { type DeviceAssertOptions, type FidoApi, type FidoDevice, FidoStatus } from "./device.ts";

const MAX_PIN_ATTEMPTS = 3;

/** Options for {@linkcode UsbSecurityKey}. */
export interface UsbSecurityKeyOptions {
  /** How long to wait for a key to be plugged in, in ms. Default 30 s. */
  insertTimeoutMs?: number;
  /** Pause between looks for a key, in ms. Default 250. */
  insertPollMs?: number;
}

/** A USB security key session: the keys present, opened on first use. */
export class UsbSecurityKey implements Authenticator {
  readonly #api: FidoApi;
  readonly #ui: AuthenticatorUi;
  readonly #insertTimeoutMs: number;
  readonly #insertPollMs: number;
  #devices: FidoDevice[] | undefined;

  constructor(api: FidoApi, ui: AuthenticatorUi, options: UsbSecurityKeyOptions = {}) {
    this.#api = api;
    this.#ui = ui;
    this.#insertTimeoutMs = options.insertTimeoutMs ?? 30_000;
    this.#insertPollMs = options.insertPollMs ?? 250;
  }

  /** Signs with the key that holds one of the allowed credentials. */
  async getAssertion(request: AssertionRequest): Promise<Assertion> {
    const device = await this.#choose(request);
    const wantsUv = request.userVerification === "required" ||
      (request.userVerification === "preferred" && (device.hasPin() || device.hasUv()));
    // Built-in verification (a fingerprint) beats a PIN; a key with neither cannot verify.
    const builtInUv = wantsUv && device.hasUv();
    let pin = request.pin;
    if (wantsUv && !builtInUv && pin === undefined) {
      if (device.hasPin()) pin = await this.#askPin(device);
      else if (request.userVerification === "required") {
        throw new AppError(
          `Okta requires user verification, but the security key "${device.info.product}" has no PIN`,
          {
            hint: "set a PIN on the key (fido2-token -S, or the maker's tool), then run the command again",
          },
        );
      }
    }
    for (let attempt = 1;; attempt++) {
      this.#ui.say(`Touch your security key (${device.info.product})`);
      const options: DeviceAssertOptions = {
        rpId: request.rpId,
        clientDataHash: request.clientDataHash,
        allowCredentialIds: request.allowCredentialIds,
        userPresence: true,
        userVerification: builtInUv,
      };
      if (pin !== undefined) options.pin = pin;
      const result = await device.assert(options);
      if (result.status === FidoStatus.OK && result.assertion) {
        const { credentialId, authenticatorData, signature, userHandle } = result.assertion;
        const assertion: Assertion = {
          // U2F keys do not echo the credential; with one allowed, it is that one.
          credentialId: credentialId.length > 0
            ? credentialId
            : request.allowCredentialIds[0] ?? credentialId,
          authenticatorData,
          signature,
        };
        if (userHandle.length > 0) assertion.userHandle = userHandle;
        return assertion;
      }
      const retryPin = result.status === FidoStatus.PIN_REQUIRED && pin === undefined ||
        result.status === FidoStatus.PIN_INVALID && attempt < MAX_PIN_ATTEMPTS;
      if (!retryPin) throw this.#failure(result.status, device);
      if (result.status === FidoStatus.PIN_INVALID) this.#ui.say("Wrong PIN; try again");
      pin = await this.#askPin(device);
    }
  }

  /** Closes every opened key. */
  close(): void {
    for (const device of this.#devices ?? []) device.close();
    this.#devices = undefined;
  }

  async #choose(request: AssertionRequest): Promise<FidoDevice> {
    const devices = this.#devices ??= await this.#openAll();
    const [first] = devices;
    if (!first) {
      throw new AppError("no security key found", { hint: "plug in your security key and try again" });
    }
    if (devices.length === 1) return first;
    // Several keys: a silent probe (no touch) tells which one holds an allowed credential.
    for (const device of devices) {
      const probe = await device.assert({
        rpId: request.rpId,
        clientDataHash: request.clientDataHash,
        allowCredentialIds: request.allowCredentialIds,
        userPresence: false,
        userVerification: false,
      });
      if (probe.status === FidoStatus.OK || probe.status === FidoStatus.USER_PRESENCE_REQUIRED) return device;
    }
    return first;
  }

  async #openAll(): Promise<FidoDevice[]> {
    let infos = this.#api.listDevices();
    if (infos.length === 0 && this.#insertTimeoutMs > 0) {
      this.#ui.say("Insert your security key");
      const deadline = Date.now() + this.#insertTimeoutMs;
      while (infos.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, this.#insertPollMs));
        infos = this.#api.listDevices();
      }
    }
    const opened: FidoDevice[] = [];
    let failure: { path: string; status: number } | undefined;
    for (const info of infos) {
      const device = this.#api.open(info);
      if (typeof device === "number") failure ??= { path: info.path, status: device };
      else opened.push(device);
    }
    if (opened.length === 0 && failure) {
      throw new AppError(
        `cannot open the security key "${failure.path}": ${this.#api.describe(failure.status)}`,
        {
          hint: Deno.build.os === "linux"
            ? "check that your user may open /dev/hidraw* (the udev rules of the libfido2 package grant it)"
            : "unplug the key, plug it in again and retry",
        },
      );
    }
    return opened;
  }

  async #askPin(device: FidoDevice): Promise<string> {
    const pin = await this.#ui.secret(`PIN for the security key (${device.info.product}): `);
    if (pin === "") {
      throw new AppError("no PIN entered", { hint: "run the command again and enter the key's PIN" });
    }
    return pin;
  }

  #failure(status: number, device: FidoDevice): AppError {
    const key = `the security key "${device.info.product}"`;
    switch (status) {
      case FidoStatus.NO_CREDENTIALS:
        return new AppError(`${key} holds no credential that Okta accepts for this user`, {
          hint: "use the key you enrolled in Okta, or pick another factor with --mfa-factor-type",
        });
      case FidoStatus.ACTION_TIMEOUT:
      case FidoStatus.USER_PRESENCE_REQUIRED:
        return new AppError(`${key} was not touched in time`, {
          hint: "run the command again and touch the key when it blinks",
        });
      case FidoStatus.PIN_INVALID:
        return new AppError(`${key} rejected the PIN ${MAX_PIN_ATTEMPTS} times`, {
          hint: "check the PIN; a few more wrong ones block the key",
        });
      case FidoStatus.PIN_BLOCKED:
      case FidoStatus.UV_BLOCKED:
        return new AppError(`${key} is blocked after too many wrong PINs`, {
          hint: "the key must be reset (which removes its credentials) and enrolled in Okta again",
        });
      case FidoStatus.PIN_AUTH_BLOCKED:
        return new AppError(`${key} blocks PINs until it is plugged in again`, {
          hint: "unplug the key, plug it in again and retry",
        });
      case FidoStatus.PIN_REQUIRED:
      case FidoStatus.PIN_NOT_SET:
        return new AppError(`${key} needs a PIN for this login`, {
          hint: "set a PIN on the key (fido2-token -S, or the maker's tool), then run the command again",
        });
      case FidoStatus.OPERATION_DENIED:
      case FidoStatus.UV_INVALID:
        return new AppError(`${key} refused the request`, { hint: "run the command again" });
      default:
        return new AppError(`${key} failed: ${this.#api.describe(status)}`, {
          hint: "unplug the key, plug it in again and retry",
        });
    }
  }
}
