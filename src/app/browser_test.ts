import assert from "node:assert/strict";
import { openBrowser, openerCommand } from "./browser.ts";

const URL_ = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=secret";

Deno.test("browser: the OS opener, or $BROWSER with %s or the URL appended", () => {
  assert.deepEqual(openerCommand(URL_, undefined, "linux"), { command: "xdg-open", args: [URL_] });
  assert.deepEqual(openerCommand(URL_, "", "darwin"), { command: "open", args: [URL_] });
  assert.deepEqual(openerCommand(URL_, undefined, "windows"), {
    command: "rundll32",
    args: ["url.dll,FileProtocolHandler", URL_],
  });
  assert.deepEqual(openerCommand(URL_, "firefox", "linux"), { command: "firefox", args: [URL_] });
  assert.deepEqual(openerCommand(URL_, "w3m:lynx", "linux"), { command: "w3m", args: [URL_] });
  assert.deepEqual(openerCommand(URL_, "chromium --new-window %s", "linux"), {
    command: "chromium",
    args: ["--new-window", URL_],
  });
  assert.deepEqual(openerCommand(URL_, "C:\\Browsers\\b.exe", "windows"), {
    command: "C:\\Browsers\\b.exe",
    args: [URL_],
  });
});

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

    await openBrowser(URL_, env(`${dir}/records`));
    assert.equal(await Deno.readTextFile(`${dir}/opened`), URL_);

    for (
      const [browser, message] of [[`${dir}/missing`, /command not found/], [
        `${dir}/fails`,
        /exited with status 3/,
      ]] as const
    ) {
      await assert.rejects(openBrowser(URL_, env(browser)), (error: Error) => {
        assert.match(error.message, message);
        assert.ok(!error.message.includes("secret"));
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
