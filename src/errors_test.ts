import assert from "node:assert/strict";
import { AppError, formatError, isRecord, oneLine, serverText } from "./errors.ts";

Deno.test("formatError joins message and hint on one line, escaping control characters", () => {
  assert.equal(formatError(new AppError("bad", { hint: "fix it" })), "bad; fix it");
  assert.equal(
    formatError(new AppError('invalid value "a\rb\nc"', { hint: "\u001b[2Jcleared" })),
    'invalid value "a\\rb\\nc"; \\x1bcleared'.replace("\\x1bcleared", "\\x1b[2Jcleared"),
  );
  assert.equal(oneLine("tab\there\u0000\u007f\u0085é☃"), "tab\\there\\x00\\x7f\\x85é☃");
});

Deno.test("serverText makes a server's text one line without a final period, cut at max", () => {
  assert.equal(serverText("  Authentication\n failed.\r\n"), "Authentication failed");
  assert.equal(serverText("x".repeat(200)), `${"x".repeat(157)}...`);
  assert.equal(serverText("abcdefghij", 8), "abcde...");
  assert.equal(serverText("v1.2"), "v1.2");
});

Deno.test("isRecord accepts plain objects only", () => {
  assert.equal(isRecord({ a: 1 }), true);
  assert.equal(isRecord(null), false);
  assert.equal(isRecord([1]), false);
  assert.equal(isRecord("text"), false);
});

/** First words that keep their capital: names of products, people-facing services and protocols. */
const CAPITALIZED_NAMES = new Set([
  "Okta",
  "Okta's",
  "Duo",
  "Duo's",
  "Windows",
  "Linux",
  "macOS",
  "Deno",
  "Go",
]);

/**
 * Whether a message may start with `word`: lower-case, or a name always written with a capital
 * (an acronym or environment variable such as AWS, STS, AWS_OKTA_MIN_TTL; an identifier with inner
 * capitals such as GetSecret or IdP; a product from the list above).
 */
function mayStartWith(word: string): boolean {
  const bare = word.replace(/[:,;.]$/, "");
  return !/^[A-Z]/.test(bare) || /^[A-Z0-9_]{2,}(?:'s)?$/.test(bare) || /^[A-Z]\w*[A-Z]/.test(bare) ||
    CAPITALIZED_NAMES.has(bare);
}

Deno.test("error messages and hints in src/ start lower-case unless their first word is a name", async () => {
  const offenders: string[] = [];
  let checked = 0;
  const walk = async (dir: URL): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, dir));
      else if (entry.name.endsWith(".ts") && !/_(test|bench)\.ts$/.test(entry.name)) {
        const source = await Deno.readTextFile(new URL(entry.name, dir));
        // `new SomeError("text…"` (the literal may start on the next line) and `hint: "text…"`.
        for (const match of source.matchAll(/(?:new \w*Error\(|\bhint:)\s*["'`]([^"'`$\s]+)/g)) {
          checked++;
          if (!mayStartWith(match[1]!)) {
            const line = source.slice(0, match.index).split("\n").length;
            offenders.push(
              `${new URL(entry.name, dir).pathname.replace(/.*\/src\//, "src/")}:${line}: ${match[0]}`,
            );
          }
        }
      }
    }
  };
  await walk(new URL("./", import.meta.url));
  assert.deepEqual(offenders, []);
  assert.ok(checked > 300, `only ${checked} messages found: the scan looks in the wrong place`);
});

Deno.test("the message case rule accepts names and rejects a capitalized common word", () => {
  for (const word of ["invalid", "Okta's", "AWS", "AWS_OKTA_MIN_TTL", "GetSecret", "IdP", "STS:", "Duo"]) {
    assert.ok(mayStartWith(word), word);
  }
  for (const word of ["Invalid", "Cannot", "The", "Unsupported", "A"]) assert.ok(!mayStartWith(word), word);
});
