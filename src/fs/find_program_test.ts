import assert from "node:assert/strict";
import { findProgram } from "./find_program.ts";

const env = (vars: Record<string, string>) => ({ get: (name: string) => vars[name] });

Deno.test({
  name: "findProgram: a name on PATH, a path with a directory, nothing for missing or non-executable files",
  ignore: Deno.build.os === "windows", // executable bits and ":" in PATH: the Windows rules are tested below
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/tool`, "#!/bin/sh\n", { mode: 0o755 });
      await Deno.writeTextFile(`${dir}/data`, "", { mode: 0o644 });
      assert.equal(findProgram("tool", env({ PATH: `/nonexistent:${dir}` })), `${dir}/tool`);
      assert.equal(findProgram(`${dir}/tool`, env({ PATH: "" })), `${dir}/tool`);
      assert.equal(findProgram("data", env({ PATH: dir })), undefined);
      assert.equal(findProgram("aws-okta-no-such-command", env({ PATH: "/usr/bin:/bin" })), undefined);
      assert.equal(findProgram("tool", env({})), undefined);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "findProgram on Windows: ';' in PATH, PATHEXT, and one separator in what it returns",
  ignore: Deno.build.os !== "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}\\tool.cmd`, "@exit /b 0\r\n");
      const found = findProgram("tool", env({ PATH: `C:\\nonexistent;${dir}\\`, PATHEXT: ".EXE;.CMD" }));
      assert.equal(found, `${dir}\\tool.CMD`);
      assert.equal(findProgram("tool.cmd", env({ PATH: dir })), `${dir}\\tool.cmd`);
      assert.equal(findProgram(`${dir}\\tool`, env({ PATH: "", PATHEXT: ".CMD" })), `${dir}\\tool.CMD`);
      // cmd.exe is where Windows keeps it, whichever case PATH's name has.
      const path = Deno.env.get("PATH") ?? Deno.env.get("Path") ?? "";
      assert.match(findProgram("cmd", env({ Path: path })) ?? "", /\\cmd\.exe$/i);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
