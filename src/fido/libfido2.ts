/**
 * A thin Deno.dlopen binding of Yubico's libfido2 (Linux, macOS, Windows builds), implementing
 * {@linkcode FidoApi}: device discovery, open, and one assertion. Logic (device choice, PIN, touch
 * prompts, error messages) lives in usb_key.ts, so this file stays a list of C calls.
 *
 * Besides src/keyring, this is the project's only FFI user; it is imported lazily, only when a
 * WebAuthn or U2F factor is verified. AWS_OKTA_LIBFIDO2 names the library file explicitly.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { cborByteString } from "./authenticator.ts";
import type { DeviceAssertOptions, DeviceAssertResult, DeviceInfo, FidoApi, FidoDevice } from "./device.ts";

const SYMBOLS = {
  fido_init: { parameters: ["i32"], result: "void" },
  fido_strerr: { parameters: ["i32"], result: "pointer" },
  fido_dev_info_new: { parameters: ["usize"], result: "pointer" },
  fido_dev_info_manifest: { parameters: ["pointer", "usize", "buffer"], result: "i32" },
  fido_dev_info_ptr: { parameters: ["pointer", "usize"], result: "pointer" },
  fido_dev_info_path: { parameters: ["pointer"], result: "pointer" },
  fido_dev_info_product_string: { parameters: ["pointer"], result: "pointer" },
  fido_dev_info_free: { parameters: ["buffer", "usize"], result: "void" },
  fido_dev_new: { parameters: [], result: "pointer" },
  fido_dev_open: { parameters: ["pointer", "buffer"], result: "i32" },
  fido_dev_close: { parameters: ["pointer"], result: "i32" },
  fido_dev_free: { parameters: ["buffer"], result: "void" },
  fido_dev_has_pin: { parameters: ["pointer"], result: "bool" },
  fido_dev_has_uv: { parameters: ["pointer"], result: "bool" },
  fido_dev_is_fido2: { parameters: ["pointer"], result: "bool" },
  // libfido2 >= 1.9; without it a U2F-only key could wait for a touch forever.
  fido_dev_set_timeout: { parameters: ["pointer", "i32"], result: "i32", optional: true },
  fido_assert_new: { parameters: [], result: "pointer" },
  fido_assert_free: { parameters: ["buffer"], result: "void" },
  fido_assert_set_rp: { parameters: ["pointer", "buffer"], result: "i32" },
  fido_assert_set_clientdata_hash: { parameters: ["pointer", "buffer", "usize"], result: "i32" },
  fido_assert_allow_cred: { parameters: ["pointer", "buffer", "usize"], result: "i32" },
  fido_assert_set_up: { parameters: ["pointer", "i32"], result: "i32" },
  fido_assert_set_uv: { parameters: ["pointer", "i32"], result: "i32" },
  // Blocks until the key is touched: run on a worker thread so that the event loop stays free.
  fido_dev_get_assert: { parameters: ["pointer", "pointer", "buffer"], result: "i32", nonblocking: true },
  fido_assert_count: { parameters: ["pointer"], result: "usize" },
  fido_assert_authdata_ptr: { parameters: ["pointer", "usize"], result: "pointer" },
  fido_assert_authdata_len: { parameters: ["pointer", "usize"], result: "usize" },
  fido_assert_sig_ptr: { parameters: ["pointer", "usize"], result: "pointer" },
  fido_assert_sig_len: { parameters: ["pointer", "usize"], result: "usize" },
  fido_assert_id_ptr: { parameters: ["pointer", "usize"], result: "pointer" },
  fido_assert_id_len: { parameters: ["pointer", "usize"], result: "usize" },
  fido_assert_user_id_ptr: { parameters: ["pointer", "usize"], result: "pointer" },
  fido_assert_user_id_len: { parameters: ["pointer", "usize"], result: "usize" },
} as const satisfies Deno.ForeignLibraryInterface;

type Symbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** fido_opt_t */
const FIDO_OPT_FALSE = 1;
const FIDO_OPT_TRUE = 2;
const FIDO_OPT_OMIT = 0;
/** How long one assertion may wait for a touch, in ms (keys give up on their own at about 30 s). */
const TOUCH_TIMEOUT_MS = 60_000;
/** More keys than anyone plugs in at once. */
const MAX_DEVICES = 16n;

/** Library file names to try, per OS (the override first). */
export function libraryCandidates(os: typeof Deno.build.os, override?: string): string[] {
  if (override) return [override];
  switch (os) {
    case "darwin":
      return [
        "libfido2.1.dylib",
        "/opt/homebrew/lib/libfido2.1.dylib",
        "/usr/local/lib/libfido2.1.dylib",
        "/opt/local/lib/libfido2.1.dylib",
      ];
    case "windows":
      return ["fido2.dll"];
    default:
      return ["libfido2.so.1", "/usr/lib/x86_64-linux-gnu/libfido2.so.1", "/usr/lib64/libfido2.so.1"];
  }
}

/** How to install libfido2 on this OS, for error hints. */
export function installHint(os: typeof Deno.build.os): string {
  switch (os) {
    case "darwin":
      return "install it with: brew install libfido2";
    case "windows":
      return "put fido2.dll from Yubico's libfido2 Windows release on PATH";
    default:
      return "install it with: apt install libfido2-1 (Debian, Ubuntu) or dnf install libfido2 (Fedora)";
  }
}

/**
 * Loads libfido2 and returns the {@linkcode FidoApi} over it.
 *
 * @throws {AppError} naming the package to install when no candidate loads.
 */
export function loadLibfido2(override?: string, os: typeof Deno.build.os = Deno.build.os): FidoApi {
  const candidates = libraryCandidates(os, override);
  let lastError: unknown;
  for (const name of candidates) {
    try {
      const lib = Deno.dlopen(name, SYMBOLS);
      lib.symbols.fido_init(0);
      return new Libfido2(lib.symbols);
    } catch (error) {
      lastError = error;
    }
  }
  throw new AppError(`cannot load libfido2 ("${candidates[0]}"), which security keys need`, {
    hint: override ? "check AWS_OKTA_LIBFIDO2, or unset it" : installHint(os),
    cause: lastError,
  });
}

class Libfido2 implements FidoApi {
  readonly #c: Symbols;

  constructor(symbols: Symbols) {
    this.#c = symbols;
  }

  listDevices(): DeviceInfo[] {
    const c = this.#c;
    const list = c.fido_dev_info_new(MAX_DEVICES);
    if (list === null) return [];
    try {
      const found = new BigUint64Array(1);
      if (c.fido_dev_info_manifest(list, MAX_DEVICES, found) !== 0) return [];
      const devices: DeviceInfo[] = [];
      for (let i = 0n; i < (found[0] ?? 0n); i++) {
        const info = c.fido_dev_info_ptr(list, i);
        const path = cString(c.fido_dev_info_path(info));
        if (path) {
          devices.push({ path, product: cString(c.fido_dev_info_product_string(info)) || "security key" });
        }
      }
      return devices;
    } finally {
      c.fido_dev_info_free(pointerHolder(list), MAX_DEVICES);
    }
  }

  open(info: DeviceInfo): FidoDevice | number {
    const c = this.#c;
    const dev = c.fido_dev_new();
    if (dev === null) return -9;
    const status = c.fido_dev_open(dev, cStringBytes(info.path));
    if (status !== 0) {
      c.fido_dev_free(pointerHolder(dev));
      return status;
    }
    c.fido_dev_set_timeout?.(dev, TOUCH_TIMEOUT_MS);
    return new Libfido2Device(c, dev, info);
  }

  describe(status: number): string {
    return cString(this.#c.fido_strerr(status)) || `error ${status}`;
  }
}

class Libfido2Device implements FidoDevice {
  readonly info: DeviceInfo;
  readonly #c: Symbols;
  #dev: Deno.PointerObject | null;

  constructor(c: Symbols, dev: Deno.PointerObject, info: DeviceInfo) {
    this.#c = c;
    this.#dev = dev;
    this.info = info;
  }

  hasPin(): boolean {
    return this.#dev !== null && this.#c.fido_dev_has_pin(this.#dev);
  }

  hasUv(): boolean {
    return this.#dev !== null && this.#c.fido_dev_has_uv(this.#dev);
  }

  isFido2(): boolean {
    return this.#dev !== null && this.#c.fido_dev_is_fido2(this.#dev);
  }

  async assert(options: DeviceAssertOptions): Promise<DeviceAssertResult> {
    const c = this.#c;
    const dev = this.#dev;
    const assert = c.fido_assert_new();
    if (dev === null || assert === null) return { status: -9 };
    try {
      let status = c.fido_assert_set_rp(assert, cStringBytes(options.rpId));
      if (status === 0) {
        status = c.fido_assert_set_clientdata_hash(
          assert,
          options.clientDataHash,
          BigInt(options.clientDataHash.length),
        );
      }
      for (const id of options.allowCredentialIds) {
        if (status === 0) status = c.fido_assert_allow_cred(assert, id, BigInt(id.length));
      }
      if (status === 0) {
        status = c.fido_assert_set_up(assert, options.userPresence ? FIDO_OPT_TRUE : FIDO_OPT_FALSE);
      }
      if (status === 0) {
        status = c.fido_assert_set_uv(assert, options.userVerification ? FIDO_OPT_TRUE : FIDO_OPT_OMIT);
      }
      if (status !== 0) return { status };
      const pin = options.pin === undefined ? null : cStringBytes(options.pin);
      status = await c.fido_dev_get_assert(dev, assert, pin);
      pin?.fill(0);
      if (status !== 0 || Number(c.fido_assert_count(assert)) < 1) return { status: status || -10 };
      return {
        status: 0,
        assertion: {
          credentialId: bytes(c.fido_assert_id_ptr(assert, 0n), c.fido_assert_id_len(assert, 0n)),
          authenticatorData: cborByteString(
            bytes(c.fido_assert_authdata_ptr(assert, 0n), c.fido_assert_authdata_len(assert, 0n)),
          ),
          signature: bytes(c.fido_assert_sig_ptr(assert, 0n), c.fido_assert_sig_len(assert, 0n)),
          userHandle: bytes(c.fido_assert_user_id_ptr(assert, 0n), c.fido_assert_user_id_len(assert, 0n)),
        },
      };
    } finally {
      c.fido_assert_free(pointerHolder(assert));
    }
  }

  close(): void {
    if (this.#dev === null) return;
    this.#c.fido_dev_close(this.#dev);
    this.#c.fido_dev_free(pointerHolder(this.#dev));
    this.#dev = null;
  }
}

/** A NUL-terminated UTF-8 copy of a string, for `const char *` parameters. */
function cStringBytes(text: string): Uint8Array<ArrayBuffer> {
  const encoded = new TextEncoder().encode(text);
  const buffer = new Uint8Array(encoded.length + 1);
  buffer.set(encoded);
  return buffer;
}

function cString(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : Deno.UnsafePointerView.getCString(pointer);
}

/** A copy of `length` bytes at `pointer` (libfido2 frees its own memory with the object). */
function bytes(pointer: Deno.PointerValue, length: number | bigint): Uint8Array {
  const size = Number(length);
  if (pointer === null || size === 0) return new Uint8Array(0);
  return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(pointer, size)).slice();
}

/** `&pointer`, for the `fido_*_free(T **)` calls. */
function pointerHolder(pointer: Deno.PointerObject): BigUint64Array<ArrayBuffer> {
  return new BigUint64Array([BigInt(Deno.UnsafePointer.value(pointer))]);
}
