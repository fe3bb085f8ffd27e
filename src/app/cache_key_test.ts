import assert from "node:assert/strict";
import fc from "fast-check";
import { cacheKey, cyrb53 } from "./cache_key.ts";

Deno.test("cacheKey: aws-okta's item name with 20 hex digits", () => {
  const key = cacheKey("dev", ["saml", "okta-creds", "home/amazon_aws/x/272", "", "assertion"]);
  assert.match(key, /^dev session \([0-9a-f]{20}\)$/);
  // Stable across runs and versions: cached sessions must be found again.
  assert.equal(key, cacheKey("dev", ["saml", "okta-creds", "home/amazon_aws/x/272", "", "assertion"]));
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
