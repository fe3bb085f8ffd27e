/**
 * libsecret through `Deno.dlopen`: the "password" API with binary values
 * (`secret_password_{storev,lookupv}_binary_sync`, `clearv_sync`, `searchv_sync`, libsecret ≥ 0.19)
 * and the GLib pieces it needs (GHashTable of attributes, GError, GList).
 *
 * ABI notes (LP64, the only layouts Deno runs on): a SecretSchema is 592 bytes (name pointer, flags,
 * 32 attribute slots of 16 bytes, then reserved fields); GError's message pointer is at offset 8;
 * GList's `data` is at 0 and `next` at 8. `g_str_hash`/`g_str_equal` are passed by address, which a
 * `pointer` static gives. Every buffer whose address reaches C is kept referenced until the call
 * returns (the blocking calls run on another thread while this one awaits).
 *
 * @module
 */

import { cString, keepAlive } from "./ffi.ts";

/** The schema flag that stops libsecret from adding/matching `xdg:schema`, so items of other tools match. */
export const SECRET_SCHEMA_DONT_MATCH_NAME = 1 << 1;
/** Search flag: return every match, not only the first. */
export const SECRET_SEARCH_ALL = 1 << 1;

/** Size of `SecretSchema` on LP64. */
export const SCHEMA_SIZE = 592;
const SCHEMA_ATTRIBUTES_OFFSET = 16;
const SCHEMA_ATTRIBUTE_SIZE = 16;
const SCHEMA_MAX_ATTRIBUTES = 32;

function address(buffer: Uint8Array<ArrayBuffer>): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
}

/** A SecretSchema in memory plus the strings it points at (keep both alive while libsecret may read them). */
export interface SchemaMemory {
  /** The 592-byte struct. */
  struct: Uint8Array<ArrayBuffer>;
  /** The NUL-terminated strings the struct points to. */
  strings: Uint8Array<ArrayBuffer>[];
}

/** Lays out a SecretSchema with string attributes `attributes` (all SECRET_SCHEMA_ATTRIBUTE_STRING = 0). */
export function buildSchema(name: string, flags: number, attributes: readonly string[]): SchemaMemory {
  if (attributes.length >= SCHEMA_MAX_ATTRIBUTES) throw new Error("too many schema attributes");
  const struct = new Uint8Array(SCHEMA_SIZE);
  const view = new DataView(struct.buffer);
  const nameBytes = cString(name);
  const strings = [nameBytes];
  view.setBigUint64(0, address(nameBytes), true);
  view.setInt32(8, flags, true);
  attributes.forEach((attribute, i) => {
    const bytes = cString(attribute);
    strings.push(bytes);
    const at = SCHEMA_ATTRIBUTES_OFFSET + i * SCHEMA_ATTRIBUTE_SIZE;
    view.setBigUint64(at, address(bytes), true);
    view.setInt32(at + 8, 0, true);
  });
  // The slot after the last attribute stays zeroed: libsecret stops at the first NULL name.
  return { struct, strings };
}

/** A GError read out of C memory. */
export interface GErrorInfo {
  /** The error domain quark. */
  domain: number;
  /** The error code within the domain. */
  code: number;
  /** The message (from GLib/libsecret/GDBus; never contains the secret). */
  message: string;
}

/** Reads a GError (domain u32 at 0, code i32 at 4, message pointer at 8). */
export function readGError(pointer: Deno.PointerObject): GErrorInfo {
  const view = new Deno.UnsafePointerView(pointer);
  const messagePointer = view.getPointer(8);
  return {
    domain: view.getUint32(0),
    code: view.getInt32(4),
    message: messagePointer ? Deno.UnsafePointerView.getCString(messagePointer) : "unknown error",
  };
}

/** Walks a GList, returning each node's `data` pointer. */
export function listData(list: Deno.PointerValue): Deno.PointerValue[] {
  const items: Deno.PointerValue[] = [];
  for (let node = list; node !== null;) {
    const view = new Deno.UnsafePointerView(node);
    items.push(view.getPointer(0));
    node = view.getPointer(8);
  }
  return items;
}

const GLIB_SYMBOLS = {
  g_str_hash: { type: "pointer" },
  g_str_equal: { type: "pointer" },
  g_hash_table_new: { parameters: ["pointer", "pointer"], result: "pointer" },
  g_hash_table_insert: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  g_hash_table_lookup: { parameters: ["pointer", "buffer"], result: "pointer" },
  g_hash_table_unref: { parameters: ["pointer"], result: "void" },
  g_error_free: { parameters: ["pointer"], result: "void" },
  g_list_free: { parameters: ["pointer"], result: "void" },
} as const;

const GOBJECT_SYMBOLS = {
  g_object_unref: { parameters: ["pointer"], result: "void" },
} as const;

const SECRET_SYMBOLS = {
  secret_password_storev_binary_sync: {
    parameters: ["buffer", "pointer", "buffer", "buffer", "pointer", "pointer", "buffer"],
    result: "i32",
    nonblocking: true,
    optional: true,
  },
  secret_password_lookupv_binary_sync: {
    parameters: ["buffer", "pointer", "pointer", "buffer"],
    result: "pointer",
    nonblocking: true,
    optional: true,
  },
  secret_password_clearv_sync: {
    parameters: ["buffer", "pointer", "pointer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  secret_password_searchv_sync: {
    parameters: ["buffer", "pointer", "i32", "pointer", "buffer"],
    result: "pointer",
    nonblocking: true,
    optional: true,
  },
  secret_value_new: { parameters: ["buffer", "isize", "buffer"], result: "pointer" },
  secret_value_get: { parameters: ["pointer", "buffer"], result: "pointer" },
  secret_value_unref: { parameters: ["pointer"], result: "void" },
  secret_retrievable_get_attributes: { parameters: ["pointer"], result: "pointer", optional: true },
} as const;

/** Shared-library names per OS family (sonames on Linux and the BSDs). */
export const LIBRARY_NAMES = {
  secret: "libsecret-1.so.0",
  glib: "libglib-2.0.so.0",
  gobject: "libgobject-2.0.so.0",
} as const;

/** A libsecret call failed; `gerror` holds GLib's description. */
export class LibsecretError extends Error {
  /** The GError, when libsecret set one. */
  readonly gerror: GErrorInfo | undefined;

  constructor(message: string, gerror?: GErrorInfo) {
    super(gerror ? `${message}: ${gerror.message}` : message);
    this.name = "LibsecretError";
    this.gerror = gerror;
  }
}

/** A library could not be opened or lacks a needed function. */
export class LibraryLoadError extends Error {
  /** The library file name. */
  readonly library: string;

  constructor(library: string, detail: string) {
    super(`cannot load "${library}": ${detail}`);
    this.name = "LibraryLoadError";
    this.library = library;
  }
}

type Glib = Deno.DynamicLibrary<typeof GLIB_SYMBOLS>["symbols"];
type Secret = Deno.DynamicLibrary<typeof SECRET_SYMBOLS>["symbols"];

/** Opens a shared library; a missing library or symbol is a {@linkcode LibraryLoadError}, not a crash. */
export function loadLibrary<S extends Deno.ForeignLibraryInterface>(
  name: string,
  symbols: S,
): Deno.DynamicLibrary<S> {
  try {
    return Deno.dlopen(name, symbols);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw new LibraryLoadError(name, detail);
  }
}

/** Attribute name → value. */
export type Attributes = Record<string, string>;

/** libsecret's password API for one schema. Create with {@linkcode Libsecret.load}. */
export class Libsecret {
  readonly #glib: Glib;
  readonly #unrefObject: (pointer: Deno.PointerValue) => void;
  readonly #secret: Secret;
  readonly #schema: SchemaMemory;

  private constructor(
    glib: Glib,
    unrefObject: (p: Deno.PointerValue) => void,
    secret: Secret,
    schema: SchemaMemory,
  ) {
    this.#glib = glib;
    this.#unrefObject = unrefObject;
    this.#secret = secret;
    this.#schema = schema;
  }

  /**
   * Opens libsecret, GLib and GObject, and lays out a schema named `schemaName` that declares
   * `attributes` with SECRET_SCHEMA_DONT_MATCH_NAME. Throws {@linkcode LibraryLoadError}.
   */
  static load(schemaName: string, attributes: readonly string[]): Libsecret {
    const glib = loadLibrary(LIBRARY_NAMES.glib, GLIB_SYMBOLS).symbols;
    const gobject = loadLibrary(LIBRARY_NAMES.gobject, GOBJECT_SYMBOLS).symbols;
    const secret = loadLibrary(LIBRARY_NAMES.secret, SECRET_SYMBOLS).symbols;
    for (
      const name of ["secret_password_storev_binary_sync", "secret_password_lookupv_binary_sync"] as const
    ) {
      if (secret[name] === null) {
        throw new LibraryLoadError(LIBRARY_NAMES.secret, `no "${name}" (libsecret 0.19 or later is needed)`);
      }
    }
    const schema = buildSchema(schemaName, SECRET_SCHEMA_DONT_MATCH_NAME, attributes);
    return new Libsecret(glib, (p) => gobject.g_object_unref(p), secret, schema);
  }

  /**
   * Stores `data` under `attributes` in the default collection (or `collection`, an alias or object
   * path), replacing an item with the same attributes; libsecret unlocks the collection if needed.
   */
  async store(
    attributes: Attributes,
    label: string,
    data: Uint8Array,
    contentType: string,
    collection?: string,
  ): Promise<void> {
    const table = this.#table(attributes);
    const collectionBytes = collection === undefined ? null : cString(collection);
    const labelBytes = cString(label);
    const contentTypeBytes = cString(contentType);
    const copy = data.slice();
    const value = this.#secret.secret_value_new(copy, BigInt(copy.length), contentTypeBytes);
    copy.fill(0);
    const error = new BigUint64Array(1);
    try {
      const ok = await this.#secret.secret_password_storev_binary_sync!(
        this.#schema.struct,
        table.pointer,
        collectionBytes,
        labelBytes,
        value,
        null,
        new Uint8Array(error.buffer),
      );
      if (!ok) throw this.#error("cannot store the item", error);
    } finally {
      this.#secret.secret_value_unref(value);
      this.#release(table);
      keepAlive(labelBytes, contentTypeBytes, collectionBytes, error);
    }
  }

  /** The bytes of the first item matching `attributes` (unlocking it if needed), or undefined. */
  async lookup(attributes: Attributes): Promise<Uint8Array | undefined> {
    const table = this.#table(attributes);
    const error = new BigUint64Array(1);
    let value: Deno.PointerValue = null;
    try {
      value = await this.#secret.secret_password_lookupv_binary_sync!(
        this.#schema.struct,
        table.pointer,
        null,
        new Uint8Array(error.buffer),
      );
      if (value === null) {
        if (error[0]) throw this.#error("cannot look up the item", error);
        return undefined;
      }
      const length = new BigUint64Array(1);
      const bytes = this.#secret.secret_value_get(value, new Uint8Array(length.buffer));
      if (bytes === null || length[0] === 0n) return new Uint8Array(0);
      return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(bytes, Number(length[0]))).slice();
    } finally {
      if (value !== null) this.#secret.secret_value_unref(value);
      this.#release(table);
      keepAlive(error);
    }
  }

  /** Deletes every item matching `attributes`; true when something was deleted. */
  async clear(attributes: Attributes): Promise<boolean> {
    const table = this.#table(attributes);
    const error = new BigUint64Array(1);
    try {
      const removed = await this.#secret.secret_password_clearv_sync(
        this.#schema.struct,
        table.pointer,
        null,
        new Uint8Array(error.buffer),
      );
      if (error[0]) throw this.#error("cannot delete the item", error);
      return removed !== 0;
    } finally {
      this.#release(table);
      keepAlive(error);
    }
  }

  /** The value of attribute `wanted` of every item matching `attributes` (without unlocking or reading secrets). */
  async searchAttribute(attributes: Attributes, wanted: string): Promise<string[]> {
    const search = this.#secret.secret_password_searchv_sync;
    const getAttributes = this.#secret.secret_retrievable_get_attributes;
    if (search === null || getAttributes === null) {
      throw new LibsecretError("listing items needs libsecret 0.19 or later");
    }
    const table = this.#table(attributes);
    const error = new BigUint64Array(1);
    const wantedBytes = cString(wanted);
    let list: Deno.PointerValue = null;
    try {
      list = await search(
        this.#schema.struct,
        table.pointer,
        SECRET_SEARCH_ALL,
        null,
        new Uint8Array(error.buffer),
      );
      if (error[0]) throw this.#error("cannot list items", error);
      const values: string[] = [];
      for (const item of listData(list)) {
        if (item === null) continue;
        const itemAttributes = getAttributes(item);
        if (itemAttributes === null) continue;
        const value = this.#glib.g_hash_table_lookup(itemAttributes, wantedBytes);
        if (value !== null) values.push(Deno.UnsafePointerView.getCString(value));
        this.#glib.g_hash_table_unref(itemAttributes);
      }
      return values;
    } finally {
      for (const item of listData(list)) if (item !== null) this.#unrefObject(item);
      if (list !== null) this.#glib.g_list_free(list);
      this.#release(table);
      keepAlive(error, wantedBytes);
    }
  }

  /** A GHashTable of `attributes`; `keep` holds the strings it points to (it does not copy them). */
  #table(attributes: Attributes): { pointer: Deno.PointerValue; keep: Uint8Array[] } {
    const pointer = this.#glib.g_hash_table_new(this.#glib.g_str_hash, this.#glib.g_str_equal);
    if (pointer === null) throw new LibsecretError("cannot allocate a hash table");
    const keep: Uint8Array[] = [];
    for (const [name, value] of Object.entries(attributes)) {
      const nameBytes = cString(name);
      const valueBytes = cString(value);
      keep.push(nameBytes, valueBytes);
      this.#glib.g_hash_table_insert(pointer, nameBytes, valueBytes);
    }
    return { pointer, keep };
  }

  /** Frees a table from {@linkcode #table}; called after the C call, which also keeps `keep` reachable until then. */
  #release(table: { pointer: Deno.PointerValue; keep: Uint8Array[] }): void {
    this.#glib.g_hash_table_unref(table.pointer);
    table.keep.length = 0;
  }

  #error(what: string, slot: BigUint64Array): LibsecretError {
    const pointer = Deno.UnsafePointer.create(slot[0]!);
    if (pointer === null) return new LibsecretError(what);
    const info = readGError(pointer);
    this.#glib.g_error_free(pointer);
    return new LibsecretError(what, info);
  }
}
