import assert from "node:assert/strict";
import { browserFromEnv, defaultOpener, openBrowser, openerArgv, splitCommand } from "./browser.ts";

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

Deno.test("browser: $BROWSER with %s or the URL appended, quotes honoured; okta-aws-cli's command appends", () => {
  const url = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=secret";
  const browser = (value: string | undefined, os: typeof Deno.build.os = "linux") =>
    openerArgv(url, browserFromEnv(value, os), os);
  assert.deepEqual(browser(undefined), ["xdg-open", url]);
  assert.deepEqual(browser("", "darwin"), ["open", url]);
  assert.deepEqual(browser(undefined, "windows"), ["rundll32", "url.dll,FileProtocolHandler", url]);
  assert.deepEqual(browser("firefox"), ["firefox", url]);
  assert.deepEqual(browser("w3m:lynx"), ["w3m", url]);
  assert.deepEqual(browser("chromium --new-window %s"), ["chromium", "--new-window", url]);
  // A program path with a space, quoted as in a shell (it used to be split at the space).
  assert.deepEqual(browser(`"/opt/My Browser/run" --new-window`), [
    "/opt/My Browser/run",
    "--new-window",
    url,
  ]);
  // Windows: the whole value (paths hold colons), backslashes are path separators.
  assert.deepEqual(browser("C:\\Browsers\\b.exe", "windows"), ["C:\\Browsers\\b.exe", url]);
  assert.deepEqual(browser(`"C:\\Program Files\\b.exe" -new %s`, "windows"), [
    "C:\\Program Files\\b.exe",
    "-new",
    url,
  ]);
  // okta-aws-cli's --open-browser-command: always appended, "%s" left alone.
  assert.deepEqual(openerArgv(url, { line: "sh -c 'printf %s \"$1\"' sh", placeholder: false }, "linux"), [
    "sh",
    "-c",
    'printf %s "$1"',
    "sh",
    url,
  ]);
});

// The stand-in openers are /bin/sh scripts; Windows' own opener is in the table above.
Deno.test("browser: not waited for, the command gets the URL as its last argument; failures are AppErrors", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/url`;
    await openBrowser("https://acme.okta.com/activate?user_code=AB-CD", {
      line: `sh -c 'printf %s "$1" > ${out}' sh`,
      placeholder: false,
    });
    let text = "";
    for (let i = 0; i < 200 && !text; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      text = await Deno.readTextFile(out).catch(() => "");
    }
    assert.equal(text, "https://acme.okta.com/activate?user_code=AB-CD");

    await assert.rejects(
      openBrowser("https://x", { line: "/nonexistent/browser", placeholder: false }),
      /^AppError: cannot open a browser with "\/nonexistent\/browser": command not found$/,
    );
    await assert.rejects(
      openBrowser("https://x", { line: "  ", placeholder: false }),
      /browser command is empty/,
    );
    const failed = Promise.withResolvers<string>();
    await openBrowser("https://x", { line: "sh -c 'exit 4'", placeholder: false }, {
      onError: (error) => failed.resolve(error.message),
    });
    // The opener is unref'd (aws-okta may exit first): a timer keeps this test alive meanwhile.
    const alive = setInterval(() => {}, 50);
    try {
      assert.equal(await failed.promise, 'cannot open a browser: "sh" exited with status 4');
    } finally {
      clearInterval(alive);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
