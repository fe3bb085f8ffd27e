import assert from "node:assert/strict";
import { loadCommands, validateCommand } from "./framework/command.ts";
import { rootCommand } from "./root.ts";

// The commands load when named (lazyCommand); these tests read every declaration.
await loadCommands(rootCommand);

// defineCommand does not validate at run time (start-up cost), so the whole tree is checked here.
Deno.test("every command declaration in the tree is valid", () => {
  assert.deepEqual(validateCommand(rootCommand), []);
});
