import assert from "node:assert/strict";
import { validateCommand } from "./framework/command.ts";
import { rootCommand } from "./root.ts";

// defineCommand does not validate at run time (start-up cost), so the whole tree is checked here.
Deno.test("every command declaration in the tree is valid", () => {
  assert.deepEqual(validateCommand(rootCommand), []);
});
