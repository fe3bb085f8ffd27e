/**
 * The macOS Security framework and CoreFoundation through `Deno.dlopen`: the symbols the Keychain
 * backend calls, CoreFoundation objects made per call and released together ({@linkcode CFScope}),
 * and query descriptions (keychain_query.ts) turned into CFDictionaries. Opened only on macOS.
 *
 * @module
 */

import { KeyringError } from "../keyring.ts";
import { type Query, SEC_CONSTANT_NAMES, type SecConstant } from "./keychain_query.ts";

/** Packs pointers into the C array CFDictionaryCreate takes. */
export function pointerArray(pointers: readonly Deno.PointerValue[]): BigUint64Array<ArrayBuffer> {
  const array = new BigUint64Array(Math.max(pointers.length, 1));
  pointers.forEach((pointer, i) => (array[i] = BigInt(Deno.UnsafePointer.value(pointer))));
  return array;
}

/** kCFStringEncodingUTF8. */
export const CF_STRING_ENCODING_UTF8 = 0x08000100;

const SECURITY_PATH = "/System/Library/Frameworks/Security.framework/Security";
const CORE_FOUNDATION_PATH = "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation";

const CF_SYMBOLS = {
  kCFTypeDictionaryKeyCallBacks: { type: "pointer" },
  kCFTypeDictionaryValueCallBacks: { type: "pointer" },
  kCFBooleanTrue: { type: "pointer" },
  kCFBooleanFalse: { type: "pointer" },
  CFStringCreateWithBytes: { parameters: ["pointer", "buffer", "isize", "u32", "u8"], result: "pointer" },
  CFDataCreate: { parameters: ["pointer", "buffer", "isize"], result: "pointer" },
  CFDictionaryCreate: {
    parameters: ["pointer", "buffer", "buffer", "isize", "pointer", "pointer"],
    result: "pointer",
  },
  CFDictionaryGetValue: { parameters: ["pointer", "pointer"], result: "pointer" },
  CFArrayGetCount: { parameters: ["pointer"], result: "isize" },
  CFArrayGetValueAtIndex: { parameters: ["pointer", "isize"], result: "pointer" },
  CFDataGetLength: { parameters: ["pointer"], result: "isize" },
  CFDataGetBytePtr: { parameters: ["pointer"], result: "pointer" },
  CFStringGetLength: { parameters: ["pointer"], result: "isize" },
  CFStringGetMaximumSizeForEncoding: { parameters: ["isize", "u32"], result: "isize" },
  CFStringGetCString: { parameters: ["pointer", "buffer", "isize", "u32"], result: "u8" },
  CFGetTypeID: { parameters: ["pointer"], result: "usize" },
  CFDataGetTypeID: { parameters: [], result: "usize" },
  CFStringGetTypeID: { parameters: [], result: "usize" },
  CFRelease: { parameters: ["pointer"], result: "void" },
} as const;

const SEC_SYMBOLS = {
  SecItemAdd: { parameters: ["pointer", "pointer"], result: "i32" },
  SecItemCopyMatching: { parameters: ["pointer", "buffer"], result: "i32" },
  SecItemUpdate: { parameters: ["pointer", "pointer"], result: "i32" },
  SecItemDelete: { parameters: ["pointer"], result: "i32" },
  SecCopyErrorMessageString: { parameters: ["i32", "pointer"], result: "pointer" },
  // Exported `const CFStringRef` globals: a pointer static gives the variable's address.
  kSecClass: { type: "pointer" },
  kSecClassGenericPassword: { type: "pointer" },
  kSecAttrService: { type: "pointer" },
  kSecAttrAccount: { type: "pointer" },
  kSecAttrLabel: { type: "pointer" },
  kSecAttrDescription: { type: "pointer" },
  kSecValueData: { type: "pointer" },
  kSecReturnData: { type: "pointer" },
  kSecReturnAttributes: { type: "pointer" },
  kSecMatchLimit: { type: "pointer" },
  kSecMatchLimitOne: { type: "pointer" },
  kSecMatchLimitAll: { type: "pointer" },
} as const satisfies Record<SecConstant, unknown> & Deno.ForeignLibraryInterface;

type CF = Deno.DynamicLibrary<typeof CF_SYMBOLS>["symbols"];
type Sec = Deno.DynamicLibrary<typeof SEC_SYMBOLS>["symbols"];

/** Reads the CFTypeRef stored in an exported global (a `pointer` static gives its address). */
function globalValue(address: unknown): Deno.PointerValue {
  return new Deno.UnsafePointerView(address as Deno.PointerObject).getPointer();
}

/** CoreFoundation objects made for one call, released together. */
export class CFScope {
  readonly #cf: CF;
  readonly #owned: Deno.PointerValue[] = [];
  readonly #keep: Uint8Array[] = [];

  constructor(cf: CF) {
    this.#cf = cf;
  }

  /** Takes ownership of `pointer` (released with the scope); null is an allocation failure. */
  own(pointer: Deno.PointerValue): Deno.PointerValue {
    if (pointer === null) {
      throw new KeyringError("keychain keyring: CoreFoundation could not allocate an object");
    }
    this.#owned.push(pointer);
    return pointer;
  }

  /** A CFString of `text`. */
  string(text: string): Deno.PointerValue {
    const bytes = new TextEncoder().encode(text);
    this.#keep.push(bytes);
    return this.own(
      this.#cf.CFStringCreateWithBytes(null, bytes, BigInt(bytes.length), CF_STRING_ENCODING_UTF8, 0),
    );
  }

  /** A CFData of a copy of `bytes` (the copy is zeroed on release). */
  data(bytes: Uint8Array): Deno.PointerValue {
    const copy = bytes.slice();
    this.#keep.push(copy);
    return this.own(this.#cf.CFDataCreate(null, copy, BigInt(copy.length)));
  }

  /** Releases every object of the scope. */
  release(): void {
    for (const pointer of this.#owned.reverse()) this.#cf.CFRelease(pointer);
    this.#owned.length = 0;
    for (const bytes of this.#keep) bytes.fill(0);
  }
}

/** The opened frameworks: their symbols and the conversions the Keychain backend needs. */
export class SecurityFramework {
  /** CoreFoundation's symbols. */
  readonly cf: CF;
  /** The Security framework's symbols. */
  readonly sec: Sec;
  readonly #constants: Map<SecConstant, Deno.PointerValue>;

  private constructor(cf: CF, sec: Sec, constants: Map<SecConstant, Deno.PointerValue>) {
    this.cf = cf;
    this.sec = sec;
    this.#constants = constants;
  }

  /** Opens the Security and CoreFoundation frameworks; throws what `Deno.dlopen` throws. */
  static open(): SecurityFramework {
    const cf = Deno.dlopen(CORE_FOUNDATION_PATH, CF_SYMBOLS).symbols;
    const sec = Deno.dlopen(SECURITY_PATH, SEC_SYMBOLS).symbols;
    const constants = new Map<SecConstant, Deno.PointerValue>();
    for (const name of SEC_CONSTANT_NAMES) constants.set(name, globalValue(sec[name]));
    return new SecurityFramework(cf, sec, constants);
  }

  /** Runs `fn` with a scope whose CoreFoundation objects are released afterwards. */
  withScope<T>(fn: (scope: CFScope) => T): T {
    const scope = new CFScope(this.cf);
    try {
      return fn(scope);
    } finally {
      scope.release();
    }
  }

  /** Builds a CFDictionary from a query description. */
  dictionary(scope: CFScope, query: Query): Deno.PointerValue {
    const keys: Deno.PointerValue[] = [];
    const values: Deno.PointerValue[] = [];
    for (const [name, value] of query) {
      keys.push(this.constant(name));
      if ("string" in value) values.push(scope.string(value.string));
      else if ("data" in value) values.push(scope.data(value.data));
      else if ("constant" in value) values.push(this.constant(value.constant));
      else values.push(globalValue(value.boolean ? this.cf.kCFBooleanTrue : this.cf.kCFBooleanFalse));
    }
    return scope.own(this.cf.CFDictionaryCreate(
      null,
      new Uint8Array(pointerArray(keys).buffer),
      new Uint8Array(pointerArray(values).buffer),
      BigInt(query.length),
      this.cf.kCFTypeDictionaryKeyCallBacks as Deno.PointerValue,
      this.cf.kCFTypeDictionaryValueCallBacks as Deno.PointerValue,
    ));
  }

  /** The CFStringRef of a Security framework constant. */
  constant(name: SecConstant): Deno.PointerValue {
    const pointer = this.#constants.get(name);
    if (!pointer) throw new KeyringError(`keychain keyring: the Security framework has no "${name}"`);
    return pointer;
  }

  /** The bytes of a CFData in `dictionary`, copied; undefined when absent or not data. */
  dataValue(dictionary: Deno.PointerValue, name: SecConstant): Uint8Array | undefined {
    const value = this.cf.CFDictionaryGetValue(dictionary, this.constant(name));
    if (value === null || this.cf.CFGetTypeID(value) !== this.cf.CFDataGetTypeID()) return undefined;
    const length = Number(this.cf.CFDataGetLength(value));
    const bytes = this.cf.CFDataGetBytePtr(value);
    if (length === 0 || bytes === null) return new Uint8Array(0);
    return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(bytes, length)).slice();
  }

  /** The text of a CFString in `dictionary`; undefined when absent or not a string. */
  stringValue(dictionary: Deno.PointerValue, name: SecConstant): string | undefined {
    const value = this.cf.CFDictionaryGetValue(dictionary, this.constant(name));
    if (value === null || this.cf.CFGetTypeID(value) !== this.cf.CFStringGetTypeID()) return undefined;
    return this.cfString(value);
  }

  /** A CFString as text. */
  cfString(value: Deno.PointerValue): string {
    const length = this.cf.CFStringGetLength(value);
    const size = Number(this.cf.CFStringGetMaximumSizeForEncoding(length, CF_STRING_ENCODING_UTF8)) + 1;
    const buffer = new Uint8Array(size);
    if (!this.cf.CFStringGetCString(value, buffer, BigInt(size), CF_STRING_ENCODING_UTF8)) return "";
    const end = buffer.indexOf(0);
    return new TextDecoder().decode(buffer.subarray(0, end < 0 ? size : end));
  }

  /** SecCopyErrorMessageString's text for `status`, when the framework has one. */
  errorMessage(status: number): string | undefined {
    const message = this.sec.SecCopyErrorMessageString(status, null);
    if (message === null) return undefined;
    try {
      return this.cfString(message);
    } finally {
      this.cf.CFRelease(message);
    }
  }
}
