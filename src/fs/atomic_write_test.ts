import assert from "node:assert/strict";
import { writeFileAtomic } from "./atomic_write.ts";

const encoder = new TextEncoder();

Deno.test("writeFileAtomic replaces the file whole, mode 0600, and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/credentials`;
    await Deno.writeTextFile(path, "old");
    await writeFileAtomic(path, encoder.encode("new"));
    assert.equal(await Deno.readTextFile(path), "new");
    if (Deno.build.os !== "windows") assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir), (e) => e.name), ["credentials"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic replaces a file another handle holds open once it closes (Windows refuses meanwhile)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/item`;
    await Deno.writeTextFile(path, "old");
    // A reader in the middle of reading: on Windows without POSIX rename semantics (Wine, FAT,
    // network shares) the rename over it is refused until the handle closes.
    const reader = await Deno.open(path, { read: true });
    const closed = new Promise<void>((resolve) =>
      setTimeout(() => {
        reader.close();
        resolve();
      }, 200)
    );
    await writeFileAtomic(path, encoder.encode("new"));
    await closed;
    assert.equal(await Deno.readTextFile(path), "new");
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir), (e) => e.name), ["item"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic over a directory fails at once and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/item`);
    await Deno.writeTextFile(`${dir}/item/x`, "");
    await assert.rejects(writeFileAtomic(`${dir}/item`, encoder.encode("new")));
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir), (e) => e.name), ["item"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic removes temp files a killed writer left an hour ago, and only those", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/credentials`;
    const old = `${dir}/.credentials.tmp-0123456789abcdef`;
    const fresh = `${dir}/.credentials.tmp-fedcba9876543210`;
    const other = `${dir}/.config.tmp-0123456789abcdef`;
    const lookalike = `${dir}/.credentials.tmp-notours`;
    for (const file of [old, fresh, other, lookalike]) await Deno.writeTextFile(file, "half a fi");
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const file of [old, other, lookalike]) await Deno.utime(file, twoHoursAgo, twoHoursAgo);
    await writeFileAtomic(path, encoder.encode("new"));
    const names = (await Array.fromAsync(Deno.readDir(dir), (e) => e.name)).sort();
    assert.deepEqual(names, [
      ".config.tmp-0123456789abcdef",
      ".credentials.tmp-fedcba9876543210",
      ".credentials.tmp-notours",
      "credentials",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic with its own temp name leaves sweeping to the caller", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const left = `${dir}/.item.tmp-0123456789abcdef`;
    await Deno.writeTextFile(left, "x");
    const longAgo = new Date(Date.now() - 3 * 60 * 60 * 1000);
    await Deno.utime(left, longAgo, longAgo);
    await writeFileAtomic(`${dir}/item`, encoder.encode("v"), { tempName: "%tmp-1" });
    assert.ok((await Deno.stat(left)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic with its own temp name sweeps what its tempPattern matches", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const left = `${dir}/%tmp-0123456789abcdef`;
    await Deno.writeTextFile(left, "x");
    const longAgo = new Date(Date.now() - 3 * 60 * 60 * 1000);
    await Deno.utime(left, longAgo, longAgo);
    await writeFileAtomic(`${dir}/item`, encoder.encode("v"), {
      tempName: "%tmp-1111111111111111",
      tempPattern: /^%tmp-[0-9a-f]{16}$/,
    });
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir), (e) => e.name), ["item"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
