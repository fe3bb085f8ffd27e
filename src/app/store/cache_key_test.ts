import assert from "node:assert/strict";
import fc from "fast-check";
import { cacheKey, cyrb53 } from "./cache_key.ts";

Deno.test("cacheKey: aws-okta's item name with 20 hex digits", () => {
  const key = cacheKey("dev", ["saml", "okta-creds", "home/amazon_aws/x/272", "", "assertion"]);
  assert.match(key, /^dev session \([0-9a-f]{20}\)$/);
});

Deno.test("cacheKey: the same names as every earlier release (a changed hash orphans every cached session)", () => {
  // Stored expected values, not recomputed: the keys of sessions already in users' keyrings.
  const expected: [string, string[], string][] = [
    [
      "dev",
      ["saml", "okta-creds", "home/amazon_aws/x/272", "", "assertion"],
      "dev session (1b216775f306b20e4c7e)",
    ],
    [
      "dev",
      ["saml", "okta-creds", "home/amazon_aws/x/272", "arn:aws:iam::1:role/A", "3600"],
      "dev session (08a34b47a620ff09445d)",
    ],
    [
      "prod admin",
      ["dev session (0123456789abcdef0123)", "arn:aws:iam::2:role/Admin", "", "", "3600"],
      "prod admin session (1232f1d6c61c3f0a8427)",
    ],
    ["ünï", ["é\u{1F600}"], "ünï session (1d0a61b54978461da792)"],
    ["p", [], "p session (10c329583afc3b0dc0cf)"],
  ];
  for (const [profile, parts, key] of expected) assert.equal(cacheKey(profile, parts), key);
  assert.equal(cyrb53("", 0), 3338908027751811);
  assert.equal(cyrb53("a", 1), 5368154436228575);
  assert.equal(cyrb53("hello world", 0x9e3779b9), 1478346176441843);
});

Deno.test("cacheKey: every part and the part boundaries change the key", () => {
  const base = ["saml", "okta-creds", "home/amazon_aws/x/272", "arn:aws:iam::1:role/A", "3600"];
  const keys = new Set([cacheKey("p", base)]);
  for (let i = 0; i < base.length; i++) {
    const changed = [...base];
    changed[i] = `${changed[i]}x`;
    keys.add(cacheKey("p", changed));
  }
  keys.add(cacheKey("p", ["samlokta-creds", ...base.slice(2)]));
  assert.equal(keys.size, base.length + 2);
});

Deno.test("cyrb53: no collisions among thousands of random distinct inputs", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ maxLength: 80 }), { minLength: 2000, maxLength: 2000 }),
      (texts) => {
        const hashes = new Set(texts.map((text) => cacheKey("p", [text])));
        assert.equal(hashes.size, texts.length);
      },
    ),
    { numRuns: 5 },
  );
  assert.notEqual(cyrb53("a", 1), cyrb53("a", 2));
});
