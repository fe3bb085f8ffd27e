import assert from "node:assert/strict";
import { AppError } from "../../errors.ts";
import { DuoFrame, duoOrigin, hiddenFields, isUniversalPrompt } from "./frame.ts";
import { startServer, testFetch } from "../test_support.ts";

Deno.test("duoOrigin: HTTPS to Duo, plain HTTP only to loopback, bare hosts only", () => {
  assert.equal(duoOrigin("api-1234abcd.duosecurity.com").href, "https://api-1234abcd.duosecurity.com/");
  assert.equal(duoOrigin("127.0.0.1:8443").href, "http://127.0.0.1:8443/");
  assert.equal(duoOrigin("localhost").href, "http://localhost/");
  assert.equal(duoOrigin("[::1]:9000").href, "http://[::1]:9000/");
  for (const bad of ["evil.example/path", "user@api.duosecurity.com", "https://api.duosecurity.com", ""]) {
    assert.throws(
      () => duoOrigin(bad),
      (error) => error instanceof AppError && /invalid Duo host/.test(error.message),
    );
  }
});

Deno.test("isUniversalPrompt: frameless v4, v4 frames and Duo's OIDC endpoints", () => {
  const at = (path: string) => new URL(path, "https://api-1.duosecurity.com");
  assert.ok(isUniversalPrompt(at("/frame/frameless/v4/auth?sid=x")));
  assert.ok(isUniversalPrompt(at("/frame/v4/prompt")));
  assert.ok(isUniversalPrompt(at("/oauth/v1/authorize?client_id=x")));
  assert.ok(!isUniversalPrompt(at("/frame/prompt?sid=x")));
});

Deno.test("hiddenFields: either quote style, any attribute order, entities decoded", () => {
  const page = `<form><input type="hidden" name="sid" value="a&amp;b">` +
    `<input value='https://certs/x?a=1&amp;amp;b' name='certs_url' TYPE='HIDDEN'>` +
    `<input type="text" name="visible" value="no"></form>`;
  assert.deepEqual(hiddenFields(page), { sid: "a&b", certs_url: "https://certs/x?a=1&amp;b" });
});

Deno.test("DuoFrame: HTTP errors, non-JSON and stat FAIL are one-line errors; result URLs stay on the host", async () => {
  const server = await startServer((request) => {
    switch (request.path) {
      case "/frame/prompt":
        return new Response("<html>oops</html>", { status: 502 });
      case "/frame/status":
        return new Response("not json", { status: 200 });
      default:
        return Response.json({ stat: "FAIL", message: "Invalid\n  session" });
    }
  });
  try {
    const frame = new DuoFrame({ host: server.origin.host, fetch: testFetch() });
    await assert.rejects(frame.prompt("sid", { device: "phone1", method: "Duo Push" }), {
      message: "Duo answered the prompt request with HTTP 502",
    });
    await assert.rejects(frame.status("sid", "txid"), {
      message: "Duo answered the status request with an answer that is not JSON",
    });
    await assert.rejects(
      frame.resultCookie("sid", { code: "allow", text: "", resultUrl: "/frame/status/t" }),
      {
        message: "Duo refused the result request: Invalid session",
      },
    );
    await assert.rejects(
      frame.resultCookie("sid", { code: "allow", text: "", resultUrl: "//evil.example/steal" }),
      { message: "Duo answered the status request with a success without a result" },
    );
    assert.equal(
      await frame.resultCookie("sid", { code: "allow", text: "", cookie: "AUTH|inline" }),
      "AUTH|inline",
    );
    const prompt = server.requests[0];
    assert.equal(prompt?.headers.get("x-requested-with"), "XMLHttpRequest");
    assert.equal(prompt?.headers.get("content-type"), "application/x-www-form-urlencoded");
    assert.equal(prompt?.body, "sid=sid&device=phone1&factor=Duo+Push&out_of_date=False&days_out_of_date=0");
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});
