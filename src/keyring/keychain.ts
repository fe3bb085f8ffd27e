/**
 * The macOS Keychain backend through the Security framework (SecItemAdd, SecItemCopyMatching,
 * SecItemUpdate, SecItemDelete) and CoreFoundation. Items are generic passwords with service
 * "aws-okta-login" and account = key, whose data is the item's bytes: where 99designs/keyring (so
 * Go aws-okta) kept them, so existing items are found.
 *
 * Queries are first described as plain data ({@linkcode keychainQuery}) and only then turned into
 * CoreFoundation objects, so what we ask the Keychain is tested on every OS; the frameworks are
 * opened only by {@linkcode KeychainKeyring.open}, only on macOS.
 *
 * @module
 */

import {
  checkKey,
  KeyNotFoundError,
  type Keyring,
  KeyringError,
  type KeyringItem,
  LABEL_PREFIX,
  SERVICE_NAME,
  settle,
} from "./keyring.ts";

/** The Keychain service of every item (Go aws-okta's service name). */
export const SERVICE = SERVICE_NAME;

/** A value in a Keychain query, before it becomes a CoreFoundation object. */
export type QueryValue =
  | { string: string }
  | { data: Uint8Array }
  | { constant: SecConstant }
  | { boolean: boolean };

/** Security framework constants we use (exported CFStringRef globals). */
export const SEC_CONSTANT_NAMES = [
  "kSecClass",
  "kSecClassGenericPassword",
  "kSecAttrService",
  "kSecAttrAccount",
  "kSecAttrLabel",
  "kSecAttrDescription",
  "kSecValueData",
  "kSecReturnData",
  "kSecReturnAttributes",
  "kSecMatchLimit",
  "kSecMatchLimitOne",
  "kSecMatchLimitAll",
] as const;

/** One of {@linkcode SEC_CONSTANT_NAMES}. */
export type SecConstant = typeof SEC_CONSTANT_NAMES[number];

/** A query: CFDictionary entries in order. */
export type Query = [SecConstant, QueryValue][];

/** What each Keychain call is asked. */
export type QueryKind = "get" | "match" | "add" | "update" | "list";

/**
 * Describes the query for `kind`: "get" reads one item's data and attributes, "match" names one
 * item (for update and delete), "add" creates one, "update" holds the attributes to change, "list"
 * returns every item's attributes.
 */
export function keychainQuery(kind: QueryKind, key = "", item?: KeyringItem): Query {
  const base: Query = [["kSecClass", { constant: "kSecClassGenericPassword" }], ["kSecAttrService", {
    string: SERVICE,
  }]];
  const account: [SecConstant, QueryValue] = ["kSecAttrAccount", { string: key }];
  switch (kind) {
    case "get":
      return [
        ...base,
        account,
        ["kSecMatchLimit", { constant: "kSecMatchLimitOne" }],
        ["kSecReturnData", { boolean: true }],
        ["kSecReturnAttributes", { boolean: true }],
      ];
    case "match":
      return [...base, account];
    case "add":
      return [...base, account, ...itemAttributes(item!)];
    case "update":
      return itemAttributes(item!);
    case "list":
      return [...base, ["kSecMatchLimit", { constant: "kSecMatchLimitAll" }], ["kSecReturnAttributes", {
        boolean: true,
      }]];
  }
}

function itemAttributes(item: KeyringItem): Query {
  const attributes: Query = [
    // Go aws-okta's label ("okta credentials"), so Keychain Access shows both tools' items alike.
    ["kSecAttrLabel", { string: item.label || item.key }],
    ["kSecValueData", { data: item.data }],
  ];
  if (item.description) attributes.push(["kSecAttrDescription", { string: item.description }]);
  return attributes;
}

/** OSStatus codes we react to. */
export const OSStatus = {
  success: 0,
  userCanceled: -128,
  authFailed: -25293,
  noSuchKeychain: -25294,
  duplicateItem: -25299,
  itemNotFound: -25300,
  interactionNotAllowed: -25308,
} as const;

/** A readable reason for an OSStatus (SecCopyErrorMessageString is used when available). */
export function osStatusText(status: number): string {
  switch (status) {
    case OSStatus.userCanceled:
      return "access was denied in the Keychain prompt";
    case OSStatus.authFailed:
      return "the Keychain password was wrong";
    case OSStatus.noSuchKeychain:
      return "no default keychain";
    case OSStatus.duplicateItem:
      return "the item already exists";
    case OSStatus.itemNotFound:
      return "the item was not found";
    case OSStatus.interactionNotAllowed:
      return "the Keychain is locked and cannot ask for its password here (e.g. over SSH)";
    default:
      return `OSStatus ${status}`;
  }
}

/** A hint for an OSStatus failure. */
export function osStatusHint(status: number): string {
  if (status === OSStatus.interactionNotAllowed) {
    return `run "security unlock-keychain" first, or use --backend file`;
  }
  return "use --backend file if the Keychain is not usable here";
}

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
class CFScope {
  readonly #cf: CF;
  readonly #owned: Deno.PointerValue[] = [];
  readonly #keep: Uint8Array[] = [];

  constructor(cf: CF) {
    this.#cf = cf;
  }

  own(pointer: Deno.PointerValue): Deno.PointerValue {
    if (pointer === null) {
      throw new KeyringError("keychain keyring: CoreFoundation could not allocate an object");
    }
    this.#owned.push(pointer);
    return pointer;
  }

  string(text: string): Deno.PointerValue {
    const bytes = new TextEncoder().encode(text);
    this.#keep.push(bytes);
    return this.own(
      this.#cf.CFStringCreateWithBytes(null, bytes, BigInt(bytes.length), CF_STRING_ENCODING_UTF8, 0),
    );
  }

  data(bytes: Uint8Array): Deno.PointerValue {
    const copy = bytes.slice();
    this.#keep.push(copy);
    return this.own(this.#cf.CFDataCreate(null, copy, BigInt(copy.length)));
  }

  release(): void {
    for (const pointer of this.#owned.reverse()) this.#cf.CFRelease(pointer);
    this.#owned.length = 0;
    for (const bytes of this.#keep) bytes.fill(0);
  }
}

/** A {@linkcode Keyring} in the user's default macOS keychain. */
export class KeychainKeyring implements Keyring {
  /** Always "keychain". */
  readonly backend = "keychain";
  readonly #cf: CF;
  readonly #sec: Sec;
  readonly #constants: Map<SecConstant, Deno.PointerValue>;

  private constructor(cf: CF, sec: Sec, constants: Map<SecConstant, Deno.PointerValue>) {
    this.#cf = cf;
    this.#sec = sec;
    this.#constants = constants;
  }

  /** Opens the Security and CoreFoundation frameworks; anywhere but macOS, a {@linkcode KeyringError}. */
  static open(): KeychainKeyring {
    if (Deno.build.os !== "darwin") {
      throw new KeyringError("keychain keyring unavailable: macOS only", { hint: "use --backend file" });
    }
    try {
      const cf = Deno.dlopen(CORE_FOUNDATION_PATH, CF_SYMBOLS).symbols;
      const sec = Deno.dlopen(SECURITY_PATH, SEC_SYMBOLS).symbols;
      const constants = new Map<SecConstant, Deno.PointerValue>();
      for (const name of SEC_CONSTANT_NAMES) constants.set(name, globalValue(sec[name]));
      return new KeychainKeyring(cf, sec, constants);
    } catch (error) {
      const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new KeyringError(`keychain keyring unavailable: cannot load the Security framework: ${detail}`, {
        hint: "use --backend file",
        cause: error,
      });
    }
  }

  /** Reads the generic password (service "aws-okta-login", account `key`). */
  get(key: string): Promise<KeyringItem> {
    return this.#withScope((scope) => {
      checkKey(key);
      const result = new BigUint64Array(1);
      const status = this.#sec.SecItemCopyMatching(
        this.#dictionary(scope, keychainQuery("get", key)),
        new Uint8Array(result.buffer),
      );
      if (status === OSStatus.itemNotFound) throw new KeyNotFoundError(key, this.backend);
      if (status !== OSStatus.success) throw this.#error(`cannot read "${key}"`, status);
      const attributes = scope.own(Deno.UnsafePointer.create(result[0]!));
      const item: KeyringItem = {
        key,
        data: this.#dataValue(attributes, "kSecValueData") ?? new Uint8Array(0),
      };
      const label = this.#stringValue(attributes, "kSecAttrLabel");
      if (label) item.label = label.startsWith(LABEL_PREFIX) ? label.slice(LABEL_PREFIX.length) : label;
      const description = this.#stringValue(attributes, "kSecAttrDescription");
      if (description) item.description = description;
      return item;
    });
  }

  /** Adds the item, or updates it in place when it exists (keeping its access list). */
  set(item: KeyringItem): Promise<void> {
    return this.#withScope((scope) => {
      checkKey(item.key);
      let status = this.#sec.SecItemAdd(this.#dictionary(scope, keychainQuery("add", item.key, item)), null);
      if (status === OSStatus.duplicateItem) {
        status = this.#sec.SecItemUpdate(
          this.#dictionary(scope, keychainQuery("match", item.key)),
          this.#dictionary(scope, keychainQuery("update", item.key, item)),
        );
      }
      if (status !== OSStatus.success) throw this.#error(`cannot store "${item.key}"`, status);
    });
  }

  /** Deletes the item; a missing one is fine. */
  remove(key: string): Promise<void> {
    return this.#withScope((scope) => {
      checkKey(key);
      const status = this.#sec.SecItemDelete(this.#dictionary(scope, keychainQuery("match", key)));
      if (status !== OSStatus.success && status !== OSStatus.itemNotFound) {
        throw this.#error(`cannot delete "${key}"`, status);
      }
    });
  }

  /** The accounts of every item with our service, sorted. */
  keys(): Promise<string[]> {
    return this.#withScope((scope) => {
      const result = new BigUint64Array(1);
      const status = this.#sec.SecItemCopyMatching(
        this.#dictionary(scope, keychainQuery("list")),
        new Uint8Array(result.buffer),
      );
      if (status === OSStatus.itemNotFound) return [];
      if (status !== OSStatus.success) throw this.#error("cannot list items", status);
      const array = scope.own(Deno.UnsafePointer.create(result[0]!));
      const keys: string[] = [];
      const count = Number(this.#cf.CFArrayGetCount(array));
      for (let i = 0; i < count; i++) {
        const attributes = this.#cf.CFArrayGetValueAtIndex(array, BigInt(i));
        const account = attributes === null ? undefined : this.#stringValue(attributes, "kSecAttrAccount");
        if (account !== undefined) keys.push(account);
      }
      return keys.sort();
    });
  }

  /** Runs `fn` with a scope whose CoreFoundation objects are released afterwards; failures reject. */
  #withScope<T>(fn: (scope: CFScope) => T): Promise<T> {
    return settle(() => {
      const scope = new CFScope(this.#cf);
      try {
        return fn(scope);
      } finally {
        scope.release();
      }
    });
  }

  /** Builds a CFDictionary from a query description. */
  #dictionary(scope: CFScope, query: Query): Deno.PointerValue {
    const keys: Deno.PointerValue[] = [];
    const values: Deno.PointerValue[] = [];
    for (const [name, value] of query) {
      keys.push(this.#constant(name));
      if ("string" in value) values.push(scope.string(value.string));
      else if ("data" in value) values.push(scope.data(value.data));
      else if ("constant" in value) values.push(this.#constant(value.constant));
      else values.push(globalValue(value.boolean ? this.#cf.kCFBooleanTrue : this.#cf.kCFBooleanFalse));
    }
    return scope.own(this.#cf.CFDictionaryCreate(
      null,
      new Uint8Array(pointerArray(keys).buffer),
      new Uint8Array(pointerArray(values).buffer),
      BigInt(query.length),
      this.#cf.kCFTypeDictionaryKeyCallBacks as Deno.PointerValue,
      this.#cf.kCFTypeDictionaryValueCallBacks as Deno.PointerValue,
    ));
  }

  #constant(name: SecConstant): Deno.PointerValue {
    const pointer = this.#constants.get(name);
    if (!pointer) throw new KeyringError(`keychain keyring: the Security framework has no "${name}"`);
    return pointer;
  }

  #dataValue(dictionary: Deno.PointerValue, name: SecConstant): Uint8Array | undefined {
    const value = this.#cf.CFDictionaryGetValue(dictionary, this.#constant(name));
    if (value === null || this.#cf.CFGetTypeID(value) !== this.#cf.CFDataGetTypeID()) return undefined;
    const length = Number(this.#cf.CFDataGetLength(value));
    const bytes = this.#cf.CFDataGetBytePtr(value);
    if (length === 0 || bytes === null) return new Uint8Array(0);
    return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(bytes, length)).slice();
  }

  #stringValue(dictionary: Deno.PointerValue, name: SecConstant): string | undefined {
    const value = this.#cf.CFDictionaryGetValue(dictionary, this.#constant(name));
    if (value === null || this.#cf.CFGetTypeID(value) !== this.#cf.CFStringGetTypeID()) return undefined;
    return this.#cfString(value);
  }

  #cfString(value: Deno.PointerValue): string {
    const length = this.#cf.CFStringGetLength(value);
    const size = Number(this.#cf.CFStringGetMaximumSizeForEncoding(length, CF_STRING_ENCODING_UTF8)) + 1;
    const buffer = new Uint8Array(size);
    if (!this.#cf.CFStringGetCString(value, buffer, BigInt(size), CF_STRING_ENCODING_UTF8)) return "";
    const end = buffer.indexOf(0);
    return new TextDecoder().decode(buffer.subarray(0, end < 0 ? size : end));
  }

  #error(what: string, status: number): KeyringError {
    let detail = osStatusText(status);
    if (detail.startsWith("OSStatus")) {
      const message = this.#sec.SecCopyErrorMessageString(status, null);
      if (message !== null) {
        detail = `${this.#cfString(message)} (${detail})`;
        this.#cf.CFRelease(message);
      }
    }
    return new KeyringError(`keychain keyring: ${what}: ${detail}`, { hint: osStatusHint(status) });
  }
}
