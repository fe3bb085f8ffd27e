import assert from "node:assert/strict";
import { qrCodeText } from "./qr_code.ts";

Deno.test("qr code: a square of half blocks with a quiet zone and the three finder patterns", async () => {
  const text = await qrCodeText("https://acme.okta.com/activate?user_code=WXKD-BPLM");
  const lines = text.replace(/\n$/, "").split("\n");
  const width = lines[0]!.length;
  assert.ok(lines.every((line) => line.length === width), "every line as wide");
  // Two module rows per line: (size + 4) modules tall including the quiet zone.
  assert.equal(lines.length, Math.ceil(width / 2));
  assert.ok(/^█+$/.test(lines[0]!), "the quiet zone is light (drawn filled)");
  // Line 1 holds module rows 0 and 1: the finder patterns' dark top edge over their dark-light-dark
  // second row, at both top corners (dark is drawn as a blank, light as a block).
  const row = lines[1]!;
  assert.equal(row.slice(2, 9), " ▄▄▄▄▄ ");
  assert.equal(row.slice(width - 9, width - 2), " ▄▄▄▄▄ ");
  assert.notEqual(await qrCodeText("https://other.example/"), text);
});
