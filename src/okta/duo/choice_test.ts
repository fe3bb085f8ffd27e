import assert from "node:assert/strict";
import { AppError } from "../../errors.ts";
import { parseDuoDevice } from "./choice.ts";

Deno.test("parseDuoDevice: aws-okta's values and the method suffixes", () => {
  assert.deepEqual(parseDuoDevice(undefined), { device: "phone1", method: "Duo Push" });
  assert.deepEqual(parseDuoDevice("  "), { device: "phone1", method: "Duo Push" });
  assert.deepEqual(parseDuoDevice("phone2"), { device: "phone2", method: "Duo Push" });
  assert.deepEqual(parseDuoDevice("PHONE1:Call"), { device: "phone1", method: "Phone Call" });
  assert.deepEqual(parseDuoDevice("phone3:passcode"), { device: "phone3", method: "Passcode" });
  assert.deepEqual(parseDuoDevice("phone1:push"), { device: "phone1", method: "Duo Push" });
  assert.deepEqual(parseDuoDevice("token"), { device: "token", method: "Passcode" });
  assert.deepEqual(parseDuoDevice("token:passcode"), { device: "token", method: "Passcode" });
});

Deno.test("parseDuoDevice: u2f, unknown methods and junk are errors with the accepted forms", () => {
  for (
    const [value, message] of [
      ["u2f", /^the Duo device "u2f" is not supported: Duo's security key prompt needs a browser$/],
      ["phone1:sms", /^the Duo method "sms" is not known$/],
      ["token:call", /^the Duo device "token:call" is not valid: a token only gives passcodes$/],
      ["phone1:call:x", /^the Duo device "phone1:call:x" is not valid$/],
      ["phone 1", /^the Duo device "phone 1" is not valid$/],
    ] as const
  ) {
    assert.throws(() => parseDuoDevice(value), (error) => {
      assert.ok(error instanceof AppError);
      assert.match(error.message, message);
      assert.match(error.hint ?? "", /phone1, phone2, phone1:call, phone1:passcode or token/);
      return true;
    });
  }
});
