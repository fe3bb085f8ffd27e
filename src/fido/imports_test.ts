import assert from "node:assert/strict";

// src/fido is a leaf: it imports only its own modules and src/errors.ts, and nothing outside it
// imports the FFI binding statically (it must load only when a FIDO factor is verified).
Deno.test("fido modules import only each other and src/errors.ts", async () => {
  const dir = new URL("./", import.meta.url);
  let checked = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts")) continue;
    const source = await Deno.readTextFile(new URL(entry.name, dir));
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      assert.ok(
        /^\.\/[a-z0-9_]+\.ts$/.test(specifier!) || specifier === "../errors.ts",
        `${entry.name} imports "${specifier}"`,
      );
    }
    checked++;
  }
  assert.ok(checked >= 5, `only ${checked} modules found`);
});

Deno.test("the app layer loads src/fido only through dynamic imports", async () => {
  const source = await Deno.readTextFile(new URL("../app/sign_in/security_key_choice.ts", import.meta.url));
  assert.doesNotMatch(source, /^import[^(]*"(\.\.\/)+fido\//m);
  assert.match(source, /import\("\.\.\/\.\.\/fido\/libfido2\.ts"\)/);
});
