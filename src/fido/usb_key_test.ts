import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import type { AssertionRequest } from "./authenticator.ts";
import {
  type DeviceAssertOptions,
  type DeviceAssertResult,
  type DeviceInfo,
  type FidoApi,
  type FidoDevice,
  FidoStatus,
} from "./device.ts";
import { UsbSecurityKey } from "./usb_key.ts";

/** A scripted key: answers each assert call with the next status (the last one repeats). */
interface FakeKey {
  info: DeviceInfo;
  pin?: boolean;
  uv?: boolean;
  statuses: number[];
  /** Status of a silent probe (userPresence false). */
  probe?: number;
  calls: DeviceAssertOptions[];
  closed: boolean;
}

function fakeKey(path: string, statuses: number[], extra: Partial<FakeKey> = {}): FakeKey {
  return { info: { path, product: `Key ${path}` }, statuses, calls: [], closed: false, ...extra };
}

const GOOD: NonNullable<DeviceAssertResult["assertion"]> = {
  credentialId: Uint8Array.of(9, 9),
  authenticatorData: new Uint8Array(37).fill(1),
  signature: Uint8Array.of(0x30, 0),
  userHandle: new Uint8Array(0),
};

function fakeApi(keys: FakeKey[], openFailures: Record<string, number> = {}): FidoApi {
  return {
    listDevices: () => keys.map((key) => key.info),
    open(info): FidoDevice | number {
      const failure = openFailures[info.path];
      if (failure !== undefined) return failure;
      const key = keys.find((k) => k.info.path === info.path)!;
      return {
        info,
        hasPin: () => key.pin ?? false,
        hasUv: () => key.uv ?? false,
        isFido2: () => true,
        assert(options) {
          key.calls.push({ ...options, allowCredentialIds: [...options.allowCredentialIds] });
          const status = options.userPresence
            ? key.statuses.length > 1 ? key.statuses.shift()! : key.statuses[0]!
            : key.probe ?? FidoStatus.NO_CREDENTIALS;
          return Promise.resolve(
            status === FidoStatus.OK && options.userPresence ? { status, assertion: GOOD } : { status },
          );
        },
        close() {
          key.closed = true;
        },
      };
    },
    describe: (status) => `FIDO_ERR_${status}`,
  };
}

function ui(pins: string[] = []) {
  const said: string[] = [];
  const asked: string[] = [];
  return {
    said,
    asked,
    say: (message: string) => said.push(message),
    secret: (question: string) => {
      asked.push(question);
      const pin = pins.shift();
      return pin === undefined
        ? Promise.reject(new Error(`unexpected PIN prompt: ${question}`))
        : Promise.resolve(pin);
    },
  };
}

const REQUEST: AssertionRequest = {
  rpId: "acme.okta.com",
  clientDataHash: new Uint8Array(32),
  allowCredentialIds: [Uint8Array.of(9, 9)],
  userVerification: "discouraged",
};

Deno.test("one key, no PIN: touch prompt on the UI, the assertion comes back, the key is closed", async () => {
  const key = fakeKey("/dev/hidraw0", [FidoStatus.OK]);
  const prompts = ui();
  const usb = new UsbSecurityKey(fakeApi([key]), prompts);
  const assertion = await usb.getAssertion(REQUEST);
  usb.close();
  assert.deepEqual(assertion, {
    credentialId: GOOD.credentialId,
    authenticatorData: GOOD.authenticatorData,
    signature: GOOD.signature,
  });
  assert.deepEqual(prompts.said, ["Touch your security key (Key /dev/hidraw0)"]);
  assert.equal(key.calls[0]?.rpId, "acme.okta.com");
  assert.equal(key.calls[0]?.pin, undefined);
  assert.equal(key.calls[0]?.userVerification, false);
  assert.ok(key.closed);
});

Deno.test("UV required on a key with a PIN: the PIN is asked first and passed to the key", async () => {
  const key = fakeKey("/dev/hidraw0", [FidoStatus.OK], { pin: true });
  const prompts = ui(["1234"]);
  await new UsbSecurityKey(fakeApi([key]), prompts).getAssertion({
    ...REQUEST,
    userVerification: "required",
  });
  assert.deepEqual(prompts.asked, ["PIN for the security key (Key /dev/hidraw0): "]);
  assert.equal(key.calls[0]?.pin, "1234");
});

Deno.test("a fingerprint key verifies by itself; a key with neither PIN nor UV cannot verify", async () => {
  const bio = fakeKey("/dev/hidraw0", [FidoStatus.OK], { pin: true, uv: true });
  await new UsbSecurityKey(fakeApi([bio]), ui()).getAssertion({ ...REQUEST, userVerification: "required" });
  assert.equal(bio.calls[0]?.userVerification, true);
  assert.equal(bio.calls[0]?.pin, undefined);

  const plain = fakeKey("/dev/hidraw0", [FidoStatus.OK]);
  await assert.rejects(
    new UsbSecurityKey(fakeApi([plain]), ui()).getAssertion({ ...REQUEST, userVerification: "required" }),
    /Okta requires user verification, but the security key "Key \/dev\/hidraw0" has no PIN/,
  );
  // "preferred" is satisfied without a PIN when the key has none.
  await new UsbSecurityKey(fakeApi([plain]), ui()).getAssertion({
    ...REQUEST,
    userVerification: "preferred",
  });
});

Deno.test("PIN required by the key after all, then a wrong PIN: asked again, said on the UI", async () => {
  const key = fakeKey("/dev/hidraw0", [FidoStatus.PIN_REQUIRED, FidoStatus.PIN_INVALID, FidoStatus.OK]);
  const prompts = ui(["1111", "2222"]);
  await new UsbSecurityKey(fakeApi([key]), prompts).getAssertion(REQUEST);
  assert.deepEqual(key.calls.map((call) => call.pin), [undefined, "1111", "2222"]);
  assert.ok(prompts.said.includes("Wrong PIN; try again"));
});

Deno.test("libfido2 statuses become one-line errors that name the key", async () => {
  const cases: [number, RegExp][] = [
    [FidoStatus.NO_CREDENTIALS, /holds no credential that Okta accepts for this user/],
    [FidoStatus.ACTION_TIMEOUT, /was not touched in time/],
    [FidoStatus.USER_PRESENCE_REQUIRED, /was not touched in time/],
    [FidoStatus.PIN_BLOCKED, /is blocked after too many wrong PINs/],
    [FidoStatus.PIN_AUTH_BLOCKED, /blocks PINs until it is plugged in again/],
    [FidoStatus.OPERATION_DENIED, /refused the request/],
    [-1, /failed: FIDO_ERR_-1/],
  ];
  for (const [status, message] of cases) {
    const key = fakeKey("/dev/hidraw0", [status]);
    await assert.rejects(new UsbSecurityKey(fakeApi([key]), ui()).getAssertion(REQUEST), (error) => {
      assert.ok(error instanceof AppError);
      assert.match(error.message, /^the security key "Key \/dev\/hidraw0" /);
      assert.match(error.message, message);
      return true;
    });
  }
  const wrong = fakeKey("/dev/hidraw0", [FidoStatus.PIN_INVALID]);
  await assert.rejects(
    new UsbSecurityKey(fakeApi([wrong]), ui(["1", "2", "3"])).getAssertion({ ...REQUEST, pin: "0" }),
    /rejected the PIN 3 times/,
  );
});

Deno.test("several keys: a silent probe picks the one holding the credential", async () => {
  const other = fakeKey("/dev/hidraw0", [FidoStatus.OK], { probe: FidoStatus.NO_CREDENTIALS });
  const mine = fakeKey("/dev/hidraw1", [FidoStatus.OK], { probe: FidoStatus.USER_PRESENCE_REQUIRED });
  const usb = new UsbSecurityKey(fakeApi([other, mine]), ui());
  await usb.getAssertion(REQUEST);
  usb.close();
  assert.equal(other.calls.filter((call) => call.userPresence).length, 0);
  assert.equal(mine.calls.filter((call) => call.userPresence).length, 1);
  assert.ok(other.closed && mine.closed);
});

Deno.test("no key, or none that opens: clear errors", async () => {
  const prompts = ui();
  await assert.rejects(
    new UsbSecurityKey(fakeApi([]), prompts, { insertTimeoutMs: 20, insertPollMs: 5 }).getAssertion(REQUEST),
    { message: "no security key found" },
  );
  assert.deepEqual(prompts.said, ["Insert your security key"]);
  const key = fakeKey("/dev/hidraw7", [FidoStatus.OK]);
  await assert.rejects(
    new UsbSecurityKey(fakeApi([key], { "/dev/hidraw7": -1 }), ui()).getAssertion(REQUEST),
    { message: 'cannot open the security key "/dev/hidraw7": FIDO_ERR_-1' },
  );
});

Deno.test("a U2F key that does not echo the credential id gets the one allowed", async () => {
  const key = fakeKey("/dev/hidraw0", [FidoStatus.OK]);
  const api = fakeApi([key]);
  const open = api.open.bind(api);
  api.open = (info) => {
    const device = open(info);
    if (typeof device === "number") return device;
    const assertOriginal = device.assert.bind(device);
    device.assert = async (options) => {
      const result = await assertOriginal(options);
      return result.assertion
        ? { ...result, assertion: { ...result.assertion, credentialId: new Uint8Array(0) } }
        : result;
    };
    return device;
  };
  const assertion = await new UsbSecurityKey(api, ui()).getAssertion(REQUEST);
  assert.deepEqual(assertion.credentialId, Uint8Array.of(9, 9));
});
