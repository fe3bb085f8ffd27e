import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { CookieJar } from "./cookie_jar.ts";
import { startServer, testFetch, type TestServer } from "./test_support.ts";
import { WebSession } from "./web_session.ts";

function session(maxRedirects?: number): WebSession {
  return new WebSession({
    fetch: testFetch(),
    label: "The test flow",
    ...(maxRedirects ? { maxRedirects } : {}),
  });
}

/** Two loopback servers: "okta" on 127.0.0.1 and "idp" on localhost, so they are two origins. */
async function twoHosts(
  okta: (path: string, idp: URL) => Response,
  idp: (path: string, okta: URL) => Response,
): Promise<{ okta: TestServer; idp: TestServer; idpOrigin: URL; close(): Promise<void> }> {
  let idpOrigin = new URL("http://localhost:1");
  let oktaOrigin = new URL("http://127.0.0.1:1");
  const oktaServer = await startServer((request) => okta(request.path, idpOrigin));
  const idpServer = await startServer((request) => idp(request.path, oktaOrigin));
  oktaOrigin = oktaServer.origin;
  idpOrigin = new URL(`http://localhost:${idpServer.origin.port}`);
  return {
    okta: oktaServer,
    idp: idpServer,
    idpOrigin,
    close: async () => {
      await oktaServer.close();
      await idpServer.close();
    },
  };
}

function redirect(location: string, status = 302, cookie?: string): Response {
  const headers = new Headers({ location });
  if (cookie) headers.append("set-cookie", cookie);
  return new Response(null, { status, headers });
}

Deno.test("cookies stay with the origin that set them across a round trip between two hosts", async () => {
  const hosts = await twoHosts(
    (path, idp) =>
      path === "/start"
        ? redirect(new URL("/authorize", idp).href, 302, "DT=okta-device; Path=/")
        : new Response("back", { headers: { "set-cookie": "sid=okta-session; Path=/" } }),
    (path, okta) =>
      path === "/authorize"
        ? redirect("/prompt", 303, "_xsrf|abc=idp-xsrf; Path=/")
        : redirect(new URL("/callback", okta).href, 302),
  );
  try {
    const web = session();
    const oktaJar = web.trust(hosts.okta.origin, new CookieJar(hosts.okta.origin));
    oktaJar.set("old", "kept");
    const adopted: string[] = [];
    const page = await web.request(new URL("/start", hosts.okta.origin), {
      step: "hand-off",
      adopt: (url) => {
        adopted.push(url.origin);
        return true;
      },
    });
    assert.equal(page.status, 200);
    assert.equal(page.body, "back");
    assert.deepEqual(adopted, [hosts.idpOrigin.origin]);
    assert.equal(oktaJar.get("sid"), "okta-session");
    assert.equal(web.jar(hosts.idpOrigin)?.get("_xsrf|abc"), "idp-xsrf");
    const cookiesAt = (server: TestServer) => server.requests.map((r) => r.headers.get("cookie"));
    assert.deepEqual(cookiesAt(hosts.okta), ["old=kept", "old=kept; DT=okta-device"]);
    assert.deepEqual(cookiesAt(hosts.idp), [null, "_xsrf|abc=idp-xsrf"]);
  } finally {
    await hosts.close();
  }
});

Deno.test("a redirect to a host nobody trusted is refused before any request goes there", async () => {
  const hosts = await twoHosts(
    (_path, idp) => redirect(new URL("/elsewhere", idp).href),
    () => new Response("should not be reached"),
  );
  try {
    const web = session();
    web.trust(hosts.okta.origin);
    await assert.rejects(web.request(new URL("/start", hosts.okta.origin), { step: "hand-off" }), (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(
        error.message,
        `The test flow went to another host "${hosts.idpOrigin.host}" at the hand-off`,
      );
      return true;
    });
    assert.equal(hosts.idp.requests.length, 0);
  } finally {
    await hosts.close();
  }
});

Deno.test("redirects are bounded", async () => {
  const server = await startServer(() => redirect("/again"));
  try {
    const web = session(3);
    web.trust(server.origin);
    await assert.rejects(
      web.request(new URL("/start", server.origin), { step: "loop" }),
      /^AppError: The test flow redirected more than 3 times at the loop$/,
    );
    assert.equal(server.requests.length, 4);
  } finally {
    await server.close();
  }
});

Deno.test("a 303 after a POST becomes a GET without the form; a 307 keeps both", async () => {
  const server = await startServer((request) => {
    if (request.path === "/see-other") return redirect("/landing", 303);
    if (request.path === "/temporary") return redirect("/landing", 307);
    return new Response(`${request.method} ${String(request.body ?? "")}`);
  });
  try {
    const web = session();
    web.trust(server.origin);
    const form = { a: "1" };
    const seeOther = await web.request(new URL("/see-other", server.origin), {
      step: "s",
      method: "POST",
      form,
    });
    assert.equal(seeOther.body, "GET ");
    const temporary = await web.request(new URL("/temporary", server.origin), {
      step: "s",
      method: "POST",
      form,
    });
    assert.equal(temporary.body, "POST a=1");
    assert.equal(server.requests[0]?.headers.get("content-type"), "application/x-www-form-urlencoded");
  } finally {
    await server.close();
  }
});

Deno.test("follow: false and until stop at a redirect and return it with its cookies named", async () => {
  const server = await startServer((request) =>
    request.path === "/a" ? redirect("/b", 302, "sid=s1; Path=/") : redirect("/c", 302, "x=1; Path=/")
  );
  try {
    const web = session();
    web.trust(server.origin);
    const first = await web.request(new URL("/a", server.origin), { step: "s", follow: false });
    assert.equal(first.status, 302);
    assert.equal(first.headers.get("location"), "/b");
    assert.deepEqual(first.cookiesSet, ["sid"]);
    const stopped = await web.request(new URL("/b", server.origin), {
      step: "s",
      until: (hop) => hop.cookiesSet.includes("x"),
    });
    assert.equal(stopped.url.pathname, "/b");
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

Deno.test("plain HTTP is refused off loopback", () => {
  const web = session();
  assert.throws(
    () => web.trust(new URL("http://api-1234.duosecurity.com")),
    /^AppError: The test flow would talk to "api-1234.duosecurity.com" without HTTPS$/,
  );
  assert.ok(web.trust(new URL("https://api-1234.duosecurity.com")));
  assert.ok(web.trusts(new URL("https://api-1234.duosecurity.com/frame/v4/prompt")));
  assert.ok(!web.trusts(new URL("https://api-9999.duosecurity.com/")));
});
