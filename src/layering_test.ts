/**
 * One layering test over all of src/: imports flow one way, from the entry point down to the shared
 * leaves, and the rooms of one layer know nothing of each other (see ARCHITECTURE.md).
 *
 * The import graph comes from `deno info --json` (Deno's own parser), so a type-only import, a
 * `typeof import()`, a dynamic import and a static one are told apart as the compiler tells them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The layers, top down, each a list of rooms: a folder under src/ (its sub-folders inherit its
 * layer unless listed themselves, e.g. "okta/duo") or a file directly in src/. A new room is one
 * line here.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["main.ts"],
  ["cli"],
  ["app"],
  // The domain rooms: where they meet is app/.
  ["okta", "aws", "keyring", "config"],
  // Devices and protocols a domain room drives (a security key, the D-Bus client).
  ["fido", "dbus"],
  // Shared infrastructure.
  ["ui", "net", "fs"],
  ["errors.ts", "env.ts", "version.ts", "timestamp.ts"],
];

/**
 * Rooms on the cached credential_process path that must not load any package, even lazily: each
 * adds tens of milliseconds of start-up (the keyring runs on every call; dbus is its client).
 */
const NO_PACKAGES: ReadonlySet<string> = new Set(["keyring", "dbus", "fido"]);

/**
 * Rooms the others may load only through a dynamic import (type-only imports are free): the
 * libfido2 FFI binding must load only when a FIDO factor is verified.
 */
const LAZY: ReadonlySet<string> = new Set(["fido"]);

/** How a module names another. */
type ImportKind = "static" | "type-only" | "dynamic";

/** One import of one module: paths are relative to src/ with "/" separators. */
interface Import {
  /** The importing file, e.g. "ui/terminal.ts". */
  from: string;
  /** The specifier as written, e.g. "../app/context.ts" or "yaml". */
  specifier: string;
  /** The imported file relative to src/ ("../tests/x.ts" when outside), or undefined for a package. */
  target: string | undefined;
  /** Static value import, type-only import, or dynamic `import()`. */
  kind: ImportKind;
}

/** The room of a path relative to src/: the longest listed folder that holds it, or the file itself. */
function roomOf(path: string): string | undefined {
  let best: string | undefined;
  for (const room of LAYERS.flat()) {
    if ((path === room || path.startsWith(room + "/")) && (best === undefined || room.length > best.length)) {
      best = room;
    }
  }
  return best;
}

function layerOf(room: string): number {
  return LAYERS.findIndex((rooms) => rooms.includes(room));
}

/** The rule one import breaks, as a sentence naming the file, the import and the rule; undefined when it keeps them all. */
function checkImport(imp: Import): string | undefined {
  const where = `src/${imp.from} imports "${imp.specifier}" (${imp.kind})`;
  const fromRoom = roomOf(imp.from);
  if (fromRoom === undefined) return `${where}: src/${imp.from} is in no room of LAYERS (layering_test.ts)`;
  if (imp.target === undefined) {
    if (NO_PACKAGES.has(fromRoom)) return `${where}: ${fromRoom}/ loads no package, not even lazily`;
    if (imp.kind === "static") {
      return `${where}: packages load lazily (await import), so that the cache-hit path loads none`;
    }
    return undefined;
  }
  const testSupport = (path: string) => /(^|\/)test_support\.ts$/.test(path);
  if (imp.target.startsWith("../")) {
    // Test helpers (test_support.ts) may reach the simulators and fixtures under tests/.
    return testSupport(imp.from)
      ? undefined
      : `${where}: src/ imports nothing outside src/ but in test_support.ts`;
  }
  if (testSupport(imp.target) && !testSupport(imp.from)) {
    return `${where}: test_support.ts modules serve tests only`;
  }
  const toRoom = roomOf(imp.target);
  if (toRoom === undefined) return `${where}: src/${imp.target} is in no room of LAYERS (layering_test.ts)`;
  if (toRoom === fromRoom) return undefined;
  const [fromLayer, toLayer] = [layerOf(fromRoom), layerOf(toRoom)];
  if (fromLayer === toLayer) {
    return `${where}: ${fromRoom} and ${toRoom} are rooms of one layer, which do not import each other (they meet above)`;
  }
  if (fromLayer > toLayer) return `${where}: ${fromRoom} may not import ${toRoom}, a layer above it`;
  if (LAZY.has(toRoom) && imp.kind === "static") {
    return `${where}: ${toRoom}/ loads only through a dynamic import (or a type-only one)`;
  }
  return undefined;
}

interface InfoDependency {
  specifier: string;
  code?: { specifier?: string };
  type?: { specifier?: string };
  isDynamic?: boolean;
}

interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

const SRC = new URL("./", import.meta.url);

/** Every non-test module under src/, as paths relative to src/. */
async function sourceFiles(dir = SRC, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      files.push(...await sourceFiles(new URL(entry.name + "/", dir), prefix + entry.name + "/"));
    } else if (entry.name.endsWith(".ts") && !/_(test|bench)\.ts$/.test(entry.name)) {
      files.push(prefix + entry.name);
    }
  }
  return files.sort();
}

/** A file URL as a path relative to src/ ("../tests/x.ts" outside it). */
function srcPath(url: string): string {
  if (url.startsWith(SRC.href)) return decodeURIComponent(url.slice(SRC.href.length));
  return "../" + decodeURIComponent(url.slice(new URL("../", SRC).href.length));
}

/** The imports of every non-test module under src/, read by `deno info` from a root importing them all. */
async function sourceImports(files: string[]): Promise<Import[]> {
  const dir = await Deno.makeTempDir();
  try {
    const root = `${dir}/root.ts`;
    await Deno.writeTextFile(root, files.map((f) => `import "${new URL(f, SRC).href}";\n`).join(""));
    const output = await new Deno.Command(Deno.execPath(), {
      // The root as a URL: a Windows path with mixed separators is taken for an external specifier.
      args: [
        "info",
        "--json",
        "--config",
        fileURLToPath(new URL("../deno.json", SRC)),
        pathToFileURL(root).href,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: InfoModule[] };
    const wanted = new Set(files);
    const imports: Import[] = [];
    for (const module of info.modules) {
      if (!module.specifier.startsWith(SRC.href)) continue;
      const from = srcPath(module.specifier);
      if (!wanted.has(from)) continue;
      for (const dep of module.dependencies ?? []) {
        const resolved = dep.code?.specifier ?? dep.type?.specifier;
        imports.push({
          from,
          specifier: dep.specifier,
          target: resolved?.startsWith("file:") ? srcPath(resolved) : undefined,
          kind: dep.code === undefined ? "type-only" : dep.isDynamic ? "dynamic" : "static",
        });
      }
    }
    return imports;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("every import under src/ keeps the layering of ARCHITECTURE.md", async () => {
  const files = await sourceFiles();
  const imports = await sourceImports(files);
  const unplaced = files.filter((file) => roomOf(file) === undefined).map((file) =>
    `src/${file} is in no room of LAYERS`
  );
  const broken = imports.map(checkImport).filter((message) => message !== undefined);
  assert.deepEqual([...unplaced, ...broken], []);
  // The graph is read, not assumed: every module is in it, and the lazy FFI binding is seen as dynamic.
  assert.ok(files.length > 100, `only ${files.length} modules found`);
  assert.equal(new Set(imports.map((imp) => imp.from)).size > files.length / 2, true);
  assert.ok(
    imports.some((imp) => imp.target === "fido/libfido2.ts" && imp.kind === "dynamic"),
    "the dynamic import of fido/libfido2.ts was not seen",
  );
  assert.ok(
    imports.some((imp) => imp.target === undefined && imp.kind === "dynamic"),
    "no lazy package import seen",
  );
});

Deno.test("checkImport names the file, the import and the rule it breaks", () => {
  const imp = (from: string, specifier: string, target: string | undefined, kind: ImportKind = "static") =>
    checkImport({ from, specifier, target, kind });
  // Allowed: downward, within a room (sub-rooms inherit it), lazy packages, type-only and dynamic fido.
  assert.equal(imp("cli/login.ts", "../app/login.ts", "app/login.ts"), undefined);
  assert.equal(imp("okta/duo/frame.ts", "../client.ts", "okta/client.ts"), undefined);
  assert.equal(imp("app/store/items.ts", "../../keyring/keyring.ts", "keyring/keyring.ts"), undefined);
  assert.equal(imp("keyring/secret_service.ts", "../dbus/connection.ts", "dbus/connection.ts"), undefined);
  assert.equal(imp("okta/saml_page.ts", "htmlparser2", undefined, "dynamic"), undefined);
  assert.equal(
    imp("okta/security_key.ts", "../fido/authenticator.ts", "fido/authenticator.ts", "type-only"),
    undefined,
  );
  assert.equal(imp("app/security_key.ts", "../fido/libfido2.ts", "fido/libfido2.ts", "dynamic"), undefined);
  assert.equal(imp("net/fetch.ts", "../errors.ts", "errors.ts"), undefined);

  assert.equal(
    imp("ui/terminal.ts", "../app/context.ts", "app/context.ts", "type-only"),
    'src/ui/terminal.ts imports "../app/context.ts" (type-only): ui may not import app, a layer above it',
  );
  assert.equal(
    imp("okta/duo/factor.ts", "../../aws/sts.ts", "aws/sts.ts"),
    'src/okta/duo/factor.ts imports "../../aws/sts.ts" (static): okta and aws are rooms of one layer, ' +
      "which do not import each other (they meet above)",
  );
  assert.equal(
    imp("keyring/file.ts", "jose", undefined, "dynamic"),
    'src/keyring/file.ts imports "jose" (dynamic): keyring/ loads no package, not even lazily',
  );
  assert.equal(
    imp("config/okta_yaml.ts", "yaml", undefined),
    'src/config/okta_yaml.ts imports "yaml" (static): packages load lazily (await import), so that the ' +
      "cache-hit path loads none",
  );
  assert.equal(
    imp("app/security_key.ts", "../fido/libfido2.ts", "fido/libfido2.ts"),
    'src/app/security_key.ts imports "../fido/libfido2.ts" (static): fido/ loads only through a dynamic ' +
      "import (or a type-only one)",
  );
  assert.equal(
    imp("okta/client.ts", "../../tests/sim/okta.ts", "../tests/sim/okta.ts"),
    'src/okta/client.ts imports "../../tests/sim/okta.ts" (static): src/ imports nothing outside src/ but in ' +
      "test_support.ts",
  );
  assert.equal(
    imp("app/test_support.ts", "../../tests/sim/simulator.ts", "../tests/sim/simulator.ts"),
    undefined,
  );
  assert.equal(imp("app/test_support.ts", "../okta/test_support.ts", "okta/test_support.ts"), undefined);
  assert.equal(
    imp("okta/classic_login.ts", "./test_support.ts", "okta/test_support.ts"),
    'src/okta/classic_login.ts imports "./test_support.ts" (static): test_support.ts modules serve tests only',
  );
  assert.equal(
    imp("plugins/x.ts", "../errors.ts", "errors.ts"),
    'src/plugins/x.ts imports "../errors.ts" (static): src/plugins/x.ts is in no room of LAYERS (layering_test.ts)',
  );
  assert.equal(
    imp("cli/root.ts", "../plugins/x.ts", "plugins/x.ts"),
    'src/cli/root.ts imports "../plugins/x.ts" (static): src/plugins/x.ts is in no room of LAYERS (layering_test.ts)',
  );
});
