import assert from "node:assert/strict";
import { decideDuoUniversal } from "./duo_universal.ts";
import type { Simulator } from "./simulator.ts";
import type { SimFactor } from "./state.ts";
import { decodeEntities, getPage, Jar, postJson, testUser, withSim } from "./testing.ts";

const UP: SimFactor = {
  id: "clpUP00000000001",
  factorType: "claims_provider",
  provider: "CUSTOM",
  code: "8675309",
};

/** A hand-driven walk with one jar per host, the way a well-behaved client keeps cookies. */
class Walk {
  readonly okta = new Jar();
  readonly duo = new Jar();
  duoOrigin = "";
  sid = "";
  tx = "";
  xsrf = "";
  stateToken = "";

  constructor(readonly sim: Simulator) {}

  jarFor(url: string): Jar {
    return new URL(url).hostname === "localhost" ? this.duo : this.okta;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    const jar = this.jarFor(url);
    const all = new Headers(headers);
    const cookie = jar.header();
    if (cookie) all.set("cookie", cookie);
    const response = await fetch(url, { headers: all, redirect: "manual" });
    jar.absorb(response);
    return response;
  }

  async post(
    url: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const jar = this.jarFor(url);
    const all = new Headers({ "content-type": "application/x-www-form-urlencoded", ...headers });
    const cookie = jar.header();
    if (cookie) all.set("cookie", cookie);
    const response = await fetch(url, {
      method: "POST",
      headers: all,
      body: new URLSearchParams(form),
      redirect: "manual",
    });
    jar.absorb(response);
    return response;
  }

  /** Password, verify, the hand-off to Duo and the plugin page; returns the verify answer. */
  async start(): Promise<Record<string, unknown>> {
    const authn = await postJson(`${this.sim.url}/api/v1/authn`, {
      username: "bob@example.com",
      password: "hunter2",
    });
    const verify = await postJson(
      `${authn.body._embedded.factors[0]._links.verify.href}?rememberDevice=true`,
      { stateToken: authn.body.stateToken },
    );
    this.stateToken = authn.body.stateToken;
    const idp = await this.get(verify.body._links.next.href);
    assert.equal(idp.status, 302);
    const authorize = idp.headers.get("location")!;
    this.duoOrigin = new URL(authorize).origin;
    const frameless = await this.get(authorize);
    await frameless.body?.cancel();
    assert.equal(frameless.status, 303);
    const page = new URL(frameless.headers.get("location")!, this.duoOrigin);
    this.sid = page.searchParams.get("sid")!;
    this.tx = page.searchParams.get("tx")!;
    const html = await (await this.get(page.href)).text();
    this.xsrf = decodeEntities(/name="_xsrf" value="([^"]*)"/.exec(html)![1]!);
    return verify.body;
  }

  framelessUrl(): string {
    return `${this.duoOrigin}/frame/frameless/v4/auth?sid=${encodeURIComponent(this.sid)}&tx=${
      encodeURIComponent(this.tx)
    }`;
  }

  async pluginPost(): Promise<Response> {
    return await this.post(this.framelessUrl(), { tx: this.tx, parent: "None", _xsrf: this.xsrf });
  }

  /** Plugin post, prompt shell, device list and a push; returns the txid. */
  async push(): Promise<string> {
    const posted = await this.pluginPost();
    assert.equal(posted.status, 302);
    await (await this.get(`${this.duoOrigin}${posted.headers.get("location")}`)).body?.cancel();
    const xhr = { "x-xsrftoken": this.xsrf };
    const started = await this.post(`${this.duoOrigin}/frame/v4/prompt`, {
      device: "phone1",
      factor: "Duo Push",
      postAuthDestination: "OIDC_EXIT",
      sid: this.sid,
    }, xhr);
    return (await started.json()).response.txid;
  }

  async exit(txid: string): Promise<Response> {
    return await this.post(`${this.duoOrigin}/frame/v4/oidc/exit`, {
      sid: this.sid,
      txid,
      factor: "Duo Push",
      device_key: "",
      _xsrf: this.xsrf,
      dampen_choice: "false",
    });
  }
}

Deno.test("duo-up: verify names the IdP link; Okta hands off to Duo's authorize with a JWT request", async () => {
  await withSim({ users: [testUser({}, [UP])] }, async (sim) => {
    const walk = new Walk(sim);
    const verify = await walk.start();
    assert.equal(verify.status, "MFA_CHALLENGE");
    assert.equal(verify.factorResult, "CHALLENGE");
    const next = (verify._links as { next: { name: string; href: string; hints: unknown } }).next;
    assert.equal(next.name, "redirect");
    assert.match(next.href, /\/sso\/idps\/0oa\w+\?stateToken=/);
    assert.deepEqual(next.hints, { allow: ["GET"] });
    assert.equal(new URL(walk.duoOrigin).hostname, "localhost");
    assert.match(walk.sid, /^frameless-/);
    assert.ok(walk.okta.cookies.has("DT"));
    assert.ok(walk.duo.cookies.has(`_xsrf|${walk.sid}`));
  });
});

Deno.test("duo-up: each side answers only on its own host", async () => {
  await withSim({ users: [testUser({}, [UP])] }, async (sim) => {
    const okta = new URL(sim.url);
    const duoOnOkta = await getPage(`${sim.url}/oauth/v1/authorize?client_id=x`);
    assert.equal(duoOnOkta.status, 404);
    const oktaOnDuo = await getPage(
      `http://localhost:${okta.port}/oauth2/v1/authorize/callback?state=a&code=b`,
    );
    assert.equal(oktaOnDuo.status, 404);
  });
});

Deno.test("duo-up: the plugin post needs the form's _xsrf and Duo's cookie; XHRs need the header", async () => {
  await withSim({ users: [testUser({}, [UP])] }, async (sim) => {
    const walk = new Walk(sim);
    await walk.start();
    const wrong = await walk.post(walk.framelessUrl(), { tx: walk.tx, parent: "None", _xsrf: "nope" });
    assert.equal(wrong.status, 400);
    await wrong.body?.cancel();
    const cookies = new Map(walk.duo.cookies);
    walk.duo.cookies.clear();
    const noCookie = await walk.pluginPost();
    assert.equal(noCookie.status, 400);
    await noCookie.body?.cancel();
    for (const [name, value] of cookies) walk.duo.cookies.set(name, value);
    const posted = await walk.pluginPost();
    assert.equal(posted.headers.get("location"), `/frame/v4/auth/prompt?sid=${encodeURIComponent(walk.sid)}`);
    const data = `${walk.duoOrigin}/frame/v4/auth/prompt/data?post_auth_action=OIDC_EXIT&sid=${walk.sid}`;
    const bare = await walk.get(data);
    assert.equal(bare.status, 403);
    assert.equal((await bare.json()).stat, "FAIL");
    const good = await (await walk.get(data, { "x-xsrftoken": walk.xsrf })).json();
    assert.deepEqual(good.response.phones.map((p: { index: string }) => p.index), ["phone1", "phone2"]);
  });
});

Deno.test("duo-up: no exit before approval; the code works once and opens a remembered session", async () => {
  const manual: SimFactor = { ...UP, push: { decision: "manual" } };
  await withSim({ users: [testUser({}, [manual])] }, async (sim) => {
    const walk = new Walk(sim);
    await walk.start();
    const txid = await walk.push();
    const early = await walk.exit(txid);
    assert.equal(early.status, 400);
    await early.body?.cancel();
    assert.equal(decideDuoUniversal(sim.state, "approve"), 1);
    const status = await walk.post(`${walk.duoOrigin}/frame/v4/status`, { sid: walk.sid, txid });
    assert.equal((await status.json()).response.status_code, "allow");
    const exit = await walk.exit(txid);
    assert.equal(exit.status, 303);
    const callback = exit.headers.get("location")!;
    assert.match(callback, /\/oauth2\/v1\/authorize\/callback\?state=\w+&code=/);
    const first = await walk.get(callback);
    assert.equal(first.status, 302);
    assert.equal(first.headers.get("location"), `${sim.url}/app/UserHome`);
    const sid = walk.okta.cookies.get("sid")!;
    assert.ok(sim.state.sessions.get(sid)?.mfa);
    assert.equal(sim.state.transactions.has(walk.stateToken), false);
    assert.ok(sim.state.devices.get(walk.okta.cookies.get("DT")!), "rememberDevice=true was honoured");
    const replay = await walk.get(callback);
    assert.equal(replay.status, 400);
    await replay.body?.cancel();
  });
});
