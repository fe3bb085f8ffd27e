import assert from "node:assert/strict";
import { defaultOpener, openBrowser, splitCommand } from "./browser.ts";

Deno.test("browser: commands split like a shell would, quotes and escapes included", () => {
  assert.deepEqual(splitCommand("firefox --new-window"), ["firefox", "--new-window"]);
  assert.deepEqual(splitCommand(`"/Applications/Google Chrome" --profile-directory='Profile 1'`), [
    "/Applications/Google Chrome",
    "--profile-directory=Profile 1",
  ]);
  assert.deepEqual(splitCommand(String.raw`open\ me "a \"b\"" ''`), ["open me", 'a "b"', ""]);
  assert.deepEqual(splitCommand("  "), []);
  assert.throws(() => splitCommand("firefox 'oops"), /unterminated ' quote/);
  assert.throws(() => splitCommand('firefox "oops'), /unterminated " quote/);
  assert.throws(() => splitCommand("firefox oops\\"), /lone backslash/);
});

Deno.test("browser: okta-aws-cli's --open-browser-command examples split as its shlex splits them", () => {
  // Its README's example: inside double quotes a backslash takes the next character, space included.
  assert.deepEqual(splitCommand(String.raw`open -na "Google\ Chrome" --args --incognito`), [
    "open",
    "-na",
    "Google Chrome",
    "--args",
    "--incognito",
  ]);
  // Its own test cases (internal/webssoauth TestOpenBrowserCommandSplitArgs).
  assert.deepEqual(splitCommand("open"), ["open"]);
  assert.deepEqual(splitCommand(`open -na "Google Chrome" --args --incognito`), [
    "open",
    "-na",
    "Google Chrome",
    "--args",
    "--incognito",
  ]);
  assert.deepEqual(
    splitCommand(
      String
        .raw`/Applications/Google\ Chrome.app/Contents/MacOS/Google\ Chrome --profile-directory=\"Person\ 1\"`,
    ),
    ["/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", `--profile-directory="Person 1"`],
  );
  // shlex: "#" starting a word comments out the rest; inside a word it is kept; blanks include tabs.
  assert.deepEqual(splitCommand("firefox #--private-window"), ["firefox"]);
  assert.deepEqual(splitCommand("fire#fox\t-P\r\nx"), ["fire#fox", "-P", "x"]);
  assert.deepEqual(splitCommand(String.raw`"a\\b" 'c\d'`), [String.raw`a\b`, String.raw`c\d`]);
});

Deno.test("browser: the platform openers", () => {
  assert.deepEqual(defaultOpener("https://x", "linux"), ["xdg-open", "https://x"]);
  assert.deepEqual(defaultOpener("https://x", "darwin"), ["open", "https://x"]);
  assert.deepEqual(defaultOpener("https://x", "windows"), [
    "rundll32",
    "url.dll,FileProtocolHandler",
    "https://x",
  ]);
});

// The stand-in openers are /bin/sh scripts; Windows' own opener is in the table above.
Deno.test("browser: the command gets the URL as its last argument; failures are reported, not thrown", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/url`;
    openBrowser(
      "https://acme.okta.com/activate?user_code=AB-CD",
      `sh -c 'printf %s "$1" > ${out}' sh`,
      () => {},
    );
    let text = "";
    for (let i = 0; i < 200 && !text; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      text = await Deno.readTextFile(out).catch(() => "");
    }
    assert.equal(text, "https://acme.okta.com/activate?user_code=AB-CD");

    const errors: string[] = [];
    openBrowser("https://x", "/nonexistent/browser", (message) => errors.push(message));
    assert.deepEqual(errors, ['cannot start the browser "/nonexistent/browser": command not found']);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
