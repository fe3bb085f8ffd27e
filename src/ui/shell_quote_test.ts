import assert from "node:assert/strict";
import { findExecutable, requirePeer } from "../../tests/peers.ts";
import { AppError } from "../errors.ts";
import { exportLines, type Shell } from "./shell_quote.ts";

/** An STS session token: base64 with "+", "/" and "=". */
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE+token/=";

function throwsApp(fn: () => unknown, message: string) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AppError, `expected AppError, got ${error}`);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("exportLines writes each shell's assignment syntax", () => {
  const vars = { A: "it's", B: "x y" };
  assert.equal(exportLines(vars, "bash"), "export A='it'\\''s'\nexport B='x y'\n");
  assert.equal(exportLines(vars, "zsh"), exportLines(vars, "bash"));
  assert.equal(exportLines(vars, "sh"), exportLines(vars, "bash"));
  assert.equal(exportLines({ A: "it's \\ ok" }, "fish"), "set -gx A 'it\\'s \\\\ ok'\n");
  assert.equal(exportLines({ A: "it's ‘x’" }, "powershell"), "$Env:A = 'it''s ‘‘x’’'\n");
  assert.equal(exportLines({ A: "a&b|c<d>e^f g" }, "cmd"), 'set "A=a&b|c<d>e^f g"\n');
  assert.equal(exportLines({}, "bash"), "");
});

Deno.test("exportLines writes AWS keys and other plain words bare for POSIX shells and fish, as Go", () => {
  const keys = {
    AWS_ACCESS_KEY_ID: "ASIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
  };
  assert.equal(
    exportLines(keys, "bash"),
    "export AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE\n" +
      "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n",
  );
  assert.equal(exportLines({ T: TOKEN }, "fish"), `set -gx T ${TOKEN}\n`);
  assert.equal(
    exportLines({ R: "arn:aws:iam::1:role/a@b,c-d.e%f" }, "sh"),
    "export R=arn:aws:iam::1:role/a@b,c-d.e%f\n",
  );
  // Quoted: empty, blanks, and what zsh (=cmd at the start or after ":") or fish (leading %) expand.
  for (const value of ["", "a b", "=ls", "x:=ls", "%self", "~", "a*"]) {
    assert.equal(exportLines({ V: value }, "zsh"), `export V='${value}'\n`, value);
  }
  assert.equal(exportLines({ V: "%self" }, "fish"), "set -gx V '%self'\n");
  // PowerShell and cmd keep their quoting: it is part of their syntax.
  assert.equal(exportLines({ V: "x" }, "powershell"), "$Env:V = 'x'\n");
  assert.equal(exportLines({ V: "x" }, "cmd"), 'set "V=x"\n');
});

Deno.test("exportLines refuses what a shell cannot carry, without echoing the value", () => {
  for (
    const [value, what] of [
      ["50%", 'the character "%"'],
      ["hi!", 'the character "!"'],
      ['say "x"', `the character '"'`],
      ["a\nb", "a line break"],
      ["a\rb", "a line break"],
    ]
  ) {
    throwsApp(
      () => exportLines({ SECRET: value! }, "cmd"),
      `cannot write "SECRET" for cmd: its value holds ${what}`,
    );
  }
  for (const shell of ["bash", "fish", "powershell"] as const) {
    throwsApp(
      () => exportLines({ K: "a\0b" }, shell),
      `cannot write "K" for ${shell}: its value holds a NUL character`,
    );
  }
  throwsApp(() => exportLines({ "BAD-NAME": "x" }, "bash"), 'invalid environment variable name "BAD-NAME"');
  throwsApp(() => exportLines({ "A=B": "x" }, "sh"), 'invalid environment variable name "A=B"');
});

// ---------------------------------------------------------------------------------------------
// Round trips through the real shells: the exported value must come back byte for byte.

const ADVERSARIAL: Record<string, string> = {
  RT_QUOTES: `it's "double" ''' \`tick\` '\\''`,
  RT_DOLLAR: "$HOME ${PATH} $(id) `id` $((1+1)) $fish_pid $Env:PATH",
  RT_BACKSLASH: "back\\slash \\' \\\\ \\n \\x41 end\\",
  RT_NEWLINES: "line1\nline2\r\n\ttab\n",
  RT_SPACES: "  leading and trailing  ",
  RT_UNICODE: "naïve – 日本語 🚀 ‘smart’ “double” ‛‚",
  RT_GLOB: "* ? [a-z] ~ ! # ; & | < > ( ) { } {a,b} %PATH%",
  RT_EMPTY: "",
  RT_TOKEN: TOKEN,
  // Written bare: each character of the bare set, and the expansions that force quotes.
  RT_BARE: "arn:aws:iam::1:role/a_b@c,d-e.f%g+h=i",
  RT_ZSH_EQUALS: "=ls",
  RT_ZSH_COLON_EQUALS: "x:=ls",
  RT_FISH_PERCENT: "%self",
  RT_DASH: "-n",
};

const SHELL_BINARIES: { binary: string; shell: Shell; args: (file: string) => string[] }[] = [
  { binary: "bash", shell: "bash", args: (file) => ["--norc", "--noprofile", file] },
  { binary: "sh", shell: "sh", args: (file) => [file] },
  { binary: "dash", shell: "sh", args: (file) => [file] },
  { binary: "zsh", shell: "zsh", args: (file) => ["-f", file] },
  { binary: "fish", shell: "fish", args: (file) => ["--no-config", file] },
  { binary: "pwsh", shell: "powershell", args: (file) => ["-NoProfile", "-NonInteractive", "-File", file] },
];

for (const { binary, shell, args } of SHELL_BINARIES) {
  // PowerShell is not packaged for Debian: outside Windows its round trip runs where it is installed.
  const path = binary === "pwsh" && Deno.build.os !== "windows"
    ? findExecutable(binary)
    : requirePeer(binary);
  Deno.test({
    name: `exportLines(${shell}) round-trips adversarial values through ${binary}`,
    ignore: path === undefined,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "aws-okta-shell-" });
      try {
        const file = `${dir}/script.${shell === "powershell" ? "ps1" : shell}`;
        // `env -0` is an external program, so it sees exactly what the shell exported.
        await Deno.writeTextFile(file, `${exportLines(ADVERSARIAL, shell)}env -0\n`);
        const output = await new Deno.Command(path!, {
          args: args(file),
          clearEnv: true,
          env: { HOME: dir, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", LANG: "C.UTF-8" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stderr = new TextDecoder().decode(output.stderr);
        assert.equal(output.code, 0, `${binary} failed: ${stderr}`);
        const seen = new Map<string, string>();
        for (const entry of new TextDecoder().decode(output.stdout).split("\0")) {
          const eq = entry.indexOf("=");
          if (eq > 0) seen.set(entry.slice(0, eq), entry.slice(eq + 1));
        }
        for (const [name, value] of Object.entries(ADVERSARIAL)) {
          assert.equal(seen.get(name), value, `${binary}: ${name}`);
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
