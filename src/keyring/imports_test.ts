import assert from "node:assert/strict";

// The keyring runs on every cached credential_process call: its modules must load no npm package
// (each adds tens of milliseconds of start-up) and, as a leaf folder, import no sibling leaf.
Deno.test("keyring modules import only each other and the shared leaves src/errors.ts, src/net/, src/fs/, src/dbus/", async () => {
  const dir = new URL("./", import.meta.url);
  let checked = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts") || entry.name.endsWith("_bench.ts")) {
      continue;
    }
    const source = await Deno.readTextFile(new URL(entry.name, dir));
    const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]!);
    for (const specifier of specifiers) {
      const allowed = /^\.\/([a-z]+\/)?[a-z0-9_]+\.ts$/.test(specifier) || specifier === "../errors.ts" ||
        /^\.\.\/(net|fs|dbus)\/[a-z_]+\.ts$/.test(specifier);
      assert.ok(allowed, `${entry.name} imports "${specifier}"`);
    }
    checked++;
  }
  assert.ok(checked >= 8, `only ${checked} modules found`);
});
