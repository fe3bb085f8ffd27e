import assert from "node:assert/strict";
import fc from "fast-check";
import { cacheKey, sha256 } from "./cache_key.ts";

async function webCrypto(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
}

Deno.test("sha256 matches WebCrypto on the FIPS examples and every padding boundary", async () => {
  const abc = Array.from(sha256(new TextEncoder().encode("abc")), (b) => b.toString(16).padStart(2, "0"))
    .join("");
  assert.equal(abc, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  for (let length = 0; length <= 200; length++) {
    const data = new Uint8Array(length).map((_, i) => (i * 31 + length) & 0xff);
    assert.deepEqual(sha256(data), await webCrypto(data), `length ${length}`);
  }
});

Deno.test("sha256 matches WebCrypto on random inputs", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (data) => {
      assert.deepEqual(sha256(data), await webCrypto(data));
    }),
    { numRuns: 300 },
  );
});

Deno.test("cacheKey: aws-okta's item name with 20 hex digits that depend on every part", () => {
  const key = cacheKey("dev", ["saml", "okta-creds", "home/amazon_aws/x/272", "", "assertion"]);
  assert.match(key, /^dev session \([0-9a-f]{20}\)$/);
  assert.notEqual(key, cacheKey("dev", ["saml", "okta-creds", "home/amazon_aws/x/272", "", "3600"]));
  assert.notEqual(cacheKey("dev", ["a", "b"]), cacheKey("dev", ["a\nb"].slice(0, 1).concat([])) + "x");
});
