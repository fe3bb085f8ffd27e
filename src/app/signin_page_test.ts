import { fileURLToPath } from "node:url";
import { join } from "node:path";
import assert from "node:assert/strict";
import type { AppError } from "../errors.ts";
import { openSignInPage, redirectPage } from "./signin_page.ts";

const URL_ = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=secret";

// The stand-in openers are /bin/sh scripts; Windows' own opener is in the table above.
Deno.test("browser: a missing or failing opener is one line without the URL", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/fails`, "#!/bin/sh\nexit 3\n");
    await Deno.chmod(`${dir}/fails`, 0o755);
    await Deno.writeTextFile(`${dir}/records`, `#!/bin/sh\nprintf '%s' "$1" > '${dir}/opened'\n`);
    await Deno.chmod(`${dir}/records`, 0o755);
    const env = (browser: string) => ({ get: (name: string) => name === "BROWSER" ? browser : undefined });

    await openSignInPage(URL_, env(`${dir}/records`));
    const page = new URL(await Deno.readTextFile(`${dir}/opened`));
    assert.equal(page.protocol, "file:");
    assert.match(await Deno.readTextFile(page), /SigninToken=secret/);

    for (
      const [browser, message] of [[`${dir}/missing`, /command not found/], [
        `${dir}/fails`,
        /exited with status 3/,
      ]] as const
    ) {
      await assert.rejects(openSignInPage(URL_, env(browser)), (error: Error) => {
        assert.match(error.message, message);
        assert.match((error as AppError).hint ?? "", /--stdout/);
        assert.ok(!error.message.includes("secret"));
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "browser: the opener's command line (/proc/<pid>/cmdline) holds a 0600 page, not the sign-in URL",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      // The opener records what every local user can read about it.
      await Deno.writeTextFile(
        `${dir}/records`,
        `#!/bin/sh\ntr '\\0' ' ' < /proc/$$/cmdline > '${dir}/cmdline'\nprintf '%s' "$1" > '${dir}/opened'\n`,
      );
      await Deno.chmod(`${dir}/records`, 0o755);
      await openSignInPage(URL_, { get: (name) => name === "BROWSER" ? `${dir}/records` : undefined });
      const cmdline = await Deno.readTextFile(`${dir}/cmdline`);
      assert.match(cmdline, /records file:\/\//);
      assert.ok(!cmdline.includes("SigninToken"), cmdline);
      const page = new URL(await Deno.readTextFile(`${dir}/opened`));
      assert.equal((await Deno.stat(page)).mode! & 0o777, 0o600);
      await Deno.remove(page);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("browser: the page goes on to the URL, escaped for HTML and script alike", async () => {
  const runtime = await Deno.makeTempDir();
  try {
    const tricky = 'https://signin.example.com/federation?Action=login&Destination="</script><b>"';
    const page = new URL(
      await redirectPage(tricky, { get: (name) => name === "XDG_RUNTIME_DIR" ? runtime : undefined }),
    );
    assert.ok(fileURLToPath(page).startsWith(join(runtime, "aws-okta-signin-")), "in XDG_RUNTIME_DIR");
    const html = await Deno.readTextFile(page);
    assert.ok(!html.includes("</script><b>"), html);
    assert.ok(
      html.includes(
        'content="0;url=https://signin.example.com/federation?Action=login&amp;Destination=&quot;&lt;',
      ),
    );
    const script = html.match(/location\.replace\((.*)\);<\/script>/)![1]!;
    assert.equal(JSON.parse(script), tricky);
    // Pages older than the token they hold (15 minutes) are removed by the next login.
    const old = new Date(Date.now() - 16 * 60_000);
    await Deno.utime(page, old, old);
    const next = new URL(
      await redirectPage(URL_, { get: (name) => name === "XDG_RUNTIME_DIR" ? runtime : undefined }),
    );
    assert.deepEqual([...Deno.readDirSync(runtime)].map((entry) => join(runtime, entry.name)), [
      fileURLToPath(next),
    ]);
  } finally {
    await Deno.remove(runtime, { recursive: true });
  }
});
