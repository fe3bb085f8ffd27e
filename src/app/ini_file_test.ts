import assert from "node:assert/strict";
import { updateTextFile } from "./ini_file.ts";

Deno.test("updateTextFile: creates the file and its directory, writes 0600, skips a write that changes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/aws/config`;
    const first = await updateTextFile({ path, lockDir: `${dir}/locks` }, (text) => `${text}[profile a]\n`);
    assert.deepEqual(first, { created: true, written: true });
    assert.equal(await Deno.readTextFile(path), "[profile a]\n");
    if (Deno.build.os !== "windows") {
      // Windows has no POSIX permission bits (Deno reports 0o666 there).
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(`${dir}/aws`)).mode! & 0o777, 0o700);
    }
    const inode = (await Deno.stat(path)).ino;
    const same = await updateTextFile({ path }, (text) => text);
    assert.deepEqual(same, { created: false, written: false });
    assert.equal((await Deno.stat(path)).ino, inode, "not replaced");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "updateTextFile: a symlinked file is written where the link points; the link stays",
  // Dotfile symlinks are a POSIX habit; on Windows creating one needs a privilege (Wine makes none).
  ignore: Deno.build.os === "windows",
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/dotfiles-config`, "[profile a]\n");
    await Deno.symlink(`${dir}/dotfiles-config`, `${dir}/config`);
    await updateTextFile({ path: `${dir}/config` }, (text) => `${text}[profile b]\n`);
    assert.ok((await Deno.lstat(`${dir}/config`)).isSymlink);
    assert.equal(await Deno.readTextFile(`${dir}/dotfiles-config`), "[profile a]\n[profile b]\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("updateTextFile: an error in the edit writes nothing; create: false refuses a missing file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/config`, "keep");
    await assert.rejects(
      updateTextFile({ path: `${dir}/config` }, () => {
        throw new Error("refused");
      }),
      /refused/,
    );
    assert.equal(await Deno.readTextFile(`${dir}/config`), "keep");
    await assert.rejects(
      updateTextFile({ path: `${dir}/missing`, create: false, kind: "credentials file" }, (t) => t),
      /credentials file ".*missing" does not exist/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
