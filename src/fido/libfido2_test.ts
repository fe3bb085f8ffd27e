import assert from "node:assert/strict";
import { reportMissingPeer } from "../../tests/peers.ts";
import { AppError } from "../errors.ts";
import { FidoStatus } from "./device.ts";
import { installHint, libraryCandidates, loadLibfido2 } from "./libfido2.ts";
import { UsbSecurityKey } from "./usb_key.ts";

/** The real library, when this machine has it (CI installs libfido2-1; see .ci/run). */
function realLibrary() {
  try {
    return loadLibfido2();
  } catch {
    reportMissingPeer("libfido2", installHint(Deno.build.os));
    return undefined;
  }
}

const api = realLibrary();

Deno.test({
  name: "libfido2: the binding loads, lists keys (none on CI) and names status codes",
  ignore: api === undefined,
  fn() {
    const devices = api!.listDevices();
    assert.ok(Array.isArray(devices));
    for (const device of devices) assert.equal(typeof device.path, "string");
    assert.equal(api!.describe(FidoStatus.OK), "FIDO_ERR_SUCCESS");
    assert.equal(api!.describe(FidoStatus.PIN_REQUIRED), "FIDO_ERR_PIN_REQUIRED");
    assert.equal(api!.describe(FidoStatus.NO_CREDENTIALS), "FIDO_ERR_NO_CREDENTIALS");
    assert.equal(api!.describe(FidoStatus.USER_PRESENCE_REQUIRED), "FIDO_ERR_USER_PRESENCE_REQUIRED");
  },
});

Deno.test({
  name: "libfido2: opening a path that is no key returns libfido2's status instead of throwing",
  ignore: api === undefined,
  fn() {
    const opened = api!.open({ path: "/nonexistent/hidraw", product: "none" });
    assert.equal(typeof opened, "number");
    assert.ok((opened as number) < 0);
  },
});

Deno.test({
  name: "libfido2: with no key plugged in, the USB key says so (real device discovery)",
  ignore: api === undefined || api.listDevices().length > 0,
  async fn() {
    const said: string[] = [];
    const usb = new UsbSecurityKey(api!, { say: (m) => said.push(m), secret: () => Promise.reject() }, {
      insertTimeoutMs: 0,
    });
    await assert.rejects(
      usb.getAssertion({
        rpId: "acme.okta.com",
        clientDataHash: new Uint8Array(32),
        allowCredentialIds: [],
        userVerification: "discouraged",
      }),
      { message: "no security key found" },
    );
    assert.deepEqual(said, []);
  },
});

Deno.test("libfido2: a library that is not there names the package to install", () => {
  assert.throws(() => loadLibfido2("/nonexistent/libfido2.so.1"), (error) => {
    assert.ok(error instanceof AppError);
    assert.equal(
      error.message,
      'cannot load libfido2 ("/nonexistent/libfido2.so.1"), which security keys need',
    );
    assert.equal(error.hint, "check AWS_OKTA_LIBFIDO2, or unset it");
    return true;
  });
  // macOS names never load on Linux (and the reverse), which shows the per-OS hint.
  const foreign = Deno.build.os === "darwin" ? "linux" : "darwin";
  assert.throws(() => loadLibfido2(undefined, foreign), (error) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.hint, installHint(foreign));
    return true;
  });
});

Deno.test("libfido2: library names and install hints per OS", () => {
  assert.equal(libraryCandidates("linux")[0], "libfido2.so.1");
  assert.ok(libraryCandidates("darwin").includes("/opt/homebrew/lib/libfido2.1.dylib"));
  assert.deepEqual(libraryCandidates("windows"), ["fido2.dll"]);
  assert.deepEqual(libraryCandidates("linux", "/opt/fido/libfido2.so"), ["/opt/fido/libfido2.so"]);
  assert.match(installHint("linux"), /apt install libfido2-1/);
  assert.match(installHint("darwin"), /brew install libfido2/);
  assert.match(installHint("windows"), /fido2\.dll/);
});
