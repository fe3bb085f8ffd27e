import assert from "node:assert/strict";
import {
  getPage,
  Jar,
  openApp,
  postJson,
  samlFromPage,
  sessionTokenFor,
  testApp,
  testUser,
  withSim,
} from "./testing.ts";
import { DEMO_APP_ID, type SimFactor } from "./state.ts";

const TOTP: SimFactor = {
  id: "ostTOTP000000001",
  factorType: "token:software:totp",
  provider: "GOOGLE",
  code: "123456",
};
const TWO_ROLES = testApp({
  roles: [
    {
      roleArn: "arn:aws:iam::111111111111:role/Engineer",
      principalArn: "arn:aws:iam::111111111111:saml-provider/Okta",
    },
    {
      roleArn: "arn:aws:iam::222222222222:role/Deploy",
      principalArn: "arn:aws:iam::222222222222:saml-provider/Okta",
    },
  ],
});

Deno.test("app link with onetimetoken: SAML form page exactly as Okta encodes it, sid and DT cookies", async () => {
  await withSim({ users: [testUser({ apps: [TWO_ROLES] })] }, async (sim) => {
    const { page, jar } = await openApp(sim, sim.state.users[0]!);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /^text\/html/);
    assert.ok(page.text.includes(
      `<form id="appForm" action="https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml" method="POST">`,
    ));
    assert.ok(page.text.includes(`<input name="RelayState" type="hidden" value=""/>`));
    assert.match(page.text, /<script[^>]*>[\s\S]*appForm/);
    const saml = samlFromPage(page.text)!;
    // Every character outside [A-Za-z0-9,._-] is a character reference, even in base64.
    assert.doesNotMatch(saml.raw, /[+/=]/);
    assert.match(saml.raw, /^[A-Za-z0-9,._&#;-]+$/);
    assert.ok(saml.raw.includes("&#x"));
    assert.ok(saml.xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?><saml2p:Response`));
    assert.ok(saml.xml.includes(
      "arn:aws:iam::111111111111:saml-provider/Okta,arn:aws:iam::111111111111:role/Engineer",
    ));
    assert.ok(saml.xml.includes(
      "arn:aws:iam::222222222222:saml-provider/Okta,arn:aws:iam::222222222222:role/Deploy",
    ));
    assert.ok(jar.cookies.get("sid"));
    assert.ok(jar.cookies.get("DT"));
    const sidLine = page.headers.getSetCookie().find((c) => c.startsWith("sid="))!;
    assert.match(sidLine, /; Path=\/; HttpOnly$/);
    assert.doesNotMatch(sidLine, /Secure/);
    assert.equal(sim.count("GET /home/amazon_aws/:app/:n"), 1);
    assert.equal(sim.count("saml:issued"), 1);
  });
});

Deno.test("app link: the session cookie alone gets SAML again; the sessionToken works only once", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const user = sim.state.users[0]!;
    const jar = new Jar();
    const token = await sessionTokenFor(sim, user);
    const link = `${sim.url}/home/amazon_aws/${user.apps[0]!.id}/272`;
    assert.ok(samlFromPage((await getPage(`${link}?onetimetoken=${token}`, jar)).text));
    const reused = await getPage(link, jar);
    assert.equal(reused.status, 200);
    assert.ok(samlFromPage(reused.text));
    assert.equal(reused.headers.getSetCookie().some((c) => c.startsWith("sid=")), false);

    const fresh = new Jar();
    const replay = await getPage(`${link}?onetimetoken=${token}`, fresh);
    assert.equal(replay.status, 302);
    assert.equal(fresh.cookies.has("sid"), false);
  });
});

Deno.test("app link: a sessionToken older than 5 minutes is refused", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const user = sim.state.users[0]!;
    const token = await sessionTokenFor(sim, user);
    sim.advanceClock(5 * 60 * 1000);
    const jar = new Jar();
    const r = await getPage(`${sim.url}/home/amazon_aws/${user.apps[0]!.id}/272?onetimetoken=${token}`, jar);
    assert.equal(r.status, 302);
    assert.equal(jar.cookies.has("sid"), false);
  });
});

Deno.test("app link without a session: 302 to the sign-in page, which has no SAMLResponse", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const link = `/home/amazon_aws/${sim.state.users[0]!.apps[0]!.id}/272`;
    const r = await getPage(`${sim.url}${link}`);
    assert.equal(r.status, 302);
    const location = r.headers.get("location")!;
    assert.equal(location, `${sim.url}/login/login.htm?fromURI=${encodeURIComponent(link)}`);
    const login = await getPage(location);
    assert.equal(login.status, 200);
    assert.ok(login.text.includes("okta-sign-in"));
    assert.equal(login.text.includes("SAMLResponse"), false);
    assert.equal(login.text.includes("stateToken"), false);
    // A client that follows redirects ends on a 200 page without SAML.
    const followed = await fetch(`${sim.url}${link}`);
    assert.equal(followed.status, 200);
    assert.equal((await followed.text()).includes("SAMLResponse"), false);
  });
});

Deno.test("app link: expired session is treated as none", async () => {
  await withSim({ users: [testUser()], settings: { sessionLifetimeMs: 60_000 } }, async (sim) => {
    const { jar } = await openApp(sim, sim.state.users[0]!);
    sim.advanceClock(61_000);
    const r = await getPage(`${sim.url}/home/amazon_aws/${sim.state.users[0]!.apps[0]!.id}/272`, jar);
    assert.equal(r.status, 302);
  });
});

Deno.test("sessionCookieRedirect: 302 to the redirectUrl with sid; then the app link gives SAML", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const user = sim.state.users[0]!;
    const token = await sessionTokenFor(sim, user);
    const link = `${sim.url}/home/amazon_aws/${user.apps[0]!.id}/272`;
    const jar = new Jar();
    const r = await getPage(
      `${sim.url}/login/sessionCookieRedirect?token=${token}&redirectUrl=${encodeURIComponent(link)}`,
      jar,
    );
    assert.equal(r.status, 302);
    assert.equal(r.headers.get("location"), link);
    assert.ok(jar.cookies.get("sid"));
    assert.ok(samlFromPage((await getPage(link, jar)).text));
    assert.equal(sim.count("GET /login/sessionCookieRedirect"), 1);

    // Used token: no cookie, off to sign in.
    const again = new Jar();
    const replay = await getPage(
      `${sim.url}/login/sessionCookieRedirect?token=${token}&redirectUrl=${encodeURIComponent(link)}`,
      again,
    );
    assert.equal(replay.status, 302);
    assert.match(replay.headers.get("location")!, /\/login\/login\.htm\?fromURI=/);
    assert.equal(again.cookies.has("sid"), false);

    // Foreign redirect targets are refused.
    const token2 = await sessionTokenFor(sim, user);
    const foreign = await getPage(
      `${sim.url}/login/sessionCookieRedirect?token=${token2}&redirectUrl=${
        encodeURIComponent("https://evil.example/")
      }`,
    );
    assert.equal(foreign.status, 400);
  });
});

Deno.test("step-up: JS-escaped stateToken resumes MFA; after verify the same session gets SAML", async () => {
  const app = testApp({ stepUp: true });
  // The org's sign-on policy lets the password alone through; the app's policy wants MFA.
  await withSim({ users: [testUser({ apps: [app], mfaOnSignIn: false }, [TOTP])] }, async (sim) => {
    const user = sim.state.users[0]!;
    const { page: first, jar } = await openApp(sim, user);
    assert.equal(first.status, 200);
    assert.equal(samlFromPage(first.text), undefined);
    assert.equal(first.text.includes("SAMLResponse"), false);
    const m = /var stateToken = '([^']+)';/.exec(first.text);
    assert.ok(m, "the step-up page holds var stateToken");
    const escaped = m[1]!;
    assert.match(escaped, /\\x2D/);
    assert.doesNotMatch(escaped, /-/);
    const stateToken = escaped.replace(
      /\\x([0-9A-Fa-f]{2})/g,
      (_, h: string) => String.fromCharCode(parseInt(h, 16)),
    );

    const resumed = await postJson(`${sim.url}/api/v1/authn`, { stateToken });
    assert.equal(resumed.body.status, "MFA_REQUIRED");
    const href = resumed.body._embedded.factors[0]._links.verify.href;
    const ok = await postJson(href, { stateToken, passCode: "123456" }, jar);
    assert.equal(ok.body.status, "SUCCESS");

    const after = await getPage(`${sim.url}/home/amazon_aws/${app.id}/272`, jar);
    const saml = samlFromPage(after.text);
    assert.ok(saml);
    assert.ok(saml.xml.includes("ac:classes:MultiFactor"));
  });
});

Deno.test("step-up: a session that did MFA gets SAML straight away", async () => {
  const app = testApp({ stepUp: true });
  await withSim({ users: [testUser({ apps: [app] }, [TOTP])] }, async (sim) => {
    const { page } = await openApp(sim, sim.state.users[0]!);
    assert.ok(samlFromPage(page.text));
  });
});

Deno.test("app link: not assigned → 403 HTML; unknown app or number → 404 HTML; no SAML in either", async () => {
  const other = testUser({
    login: "dave@example.com",
    id: "00uDAVE",
    apps: [testApp({ id: "0oaOTHERapp00001" })],
  });
  await withSim({ users: [testUser(), other] }, async (sim) => {
    const { jar } = await openApp(sim, sim.state.users[0]!);
    const forbidden = await getPage(`${sim.url}/home/amazon_aws/0oaOTHERapp00001/272`, jar);
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.headers.get("content-type")!, /^text\/html/);
    assert.equal(forbidden.text.includes("SAMLResponse"), false);
    const unknown = await getPage(`${sim.url}/home/amazon_aws/0oaNOPE/272`, jar);
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /<html/);
    const wrongN = await getPage(`${sim.url}/home/amazon_aws/${sim.state.users[0]!.apps[0]!.id}/999`, jar);
    assert.equal(wrongN.status, 404);
  });
});

Deno.test("app options: role,principal order, RoleSessionName, SessionDuration, GovCloud ACS", async () => {
  const app = testApp({
    roleValueOrder: "role,principal",
    roleSessionName: "bob.custom",
    sessionDuration: 7200,
    roles: [{
      roleArn: "arn:aws-us-gov:iam::123456789012:role/Gov",
      principalArn: "arn:aws-us-gov:iam::123456789012:saml-provider/Okta",
    }],
  });
  await withSim({ users: [testUser({ apps: [app] })] }, async (sim) => {
    const { page } = await openApp(sim, sim.state.users[0]!);
    assert.ok(page.text.includes(`action="https&#x3a;&#x2f;&#x2f;signin.amazonaws-us-gov.com&#x2f;saml"`));
    const { xml } = samlFromPage(page.text)!;
    assert.ok(xml.includes(
      ">arn:aws-us-gov:iam::123456789012:role/Gov,arn:aws-us-gov:iam::123456789012:saml-provider/Okta<",
    ));
    assert.match(xml, /RoleSessionName"[^>]*><saml2:AttributeValue[^>]*>bob\.custom</);
    assert.match(xml, /SessionDuration"[^>]*><saml2:AttributeValue[^>]*>7200</);
    assert.ok(xml.includes("<saml2:Audience>urn:amazon:webservices:govcloud</saml2:Audience>"));
  });
});

Deno.test("/app/amazon_aws/<id>/sso/saml serves the same page as the embed link", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const { jar } = await openApp(sim, sim.state.users[0]!);
    const r = await getPage(`${sim.url}/app/amazon_aws/${sim.state.users[0]!.apps[0]!.id}/sso/saml`, jar);
    assert.ok(samlFromPage(r.text));
  });
});

Deno.test("sessions/me: 200 JSON with a sid, 404 E0000007 without; DELETE ends the session", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const { jar } = await openApp(sim, sim.state.users[0]!);
    const me = await fetch(`${sim.url}/api/v1/sessions/me`, { headers: { cookie: jar.header()! } });
    assert.equal(me.status, 200);
    const body = await me.json();
    assert.equal(body.login, "bob@example.com");
    assert.equal(body.userId, "00uBOB0000000001");
    assert.equal(body.status, "ACTIVE");
    assert.deepEqual(body.amr, ["pwd"]);
    assert.match(body.expiresAt, /\.\d{3}Z$/);

    const none = await fetch(`${sim.url}/api/v1/sessions/me`);
    assert.equal(none.status, 404);
    assert.equal((await none.json()).errorCode, "E0000007");

    const del = await fetch(`${sim.url}/api/v1/sessions/me`, {
      method: "DELETE",
      headers: { cookie: jar.header()! },
    });
    assert.equal(del.status, 204);
    await del.body?.cancel();
    const gone = await fetch(`${sim.url}/api/v1/sessions/me`, { headers: { cookie: jar.header()! } });
    assert.equal(gone.status, 404);
    await gone.body?.cancel();
    assert.equal(sim.count("GET /api/v1/sessions/me"), 3);
    assert.equal(sim.count("DELETE /api/v1/sessions/me"), 1);
  });
});

Deno.test("default demo user: alice with an auto-approving push and the demo app", async () => {
  await withSim({}, async (sim) => {
    const r = await postJson(`${sim.url}/api/v1/authn`, {
      username: "alice@example.com",
      password: "correct horse",
    });
    assert.equal(r.body.status, "MFA_REQUIRED");
    const href = r.body._embedded.factors[0]._links.verify.href;
    await postJson(href, { stateToken: r.body.stateToken });
    const ok = await postJson(href, { stateToken: r.body.stateToken });
    assert.equal(ok.body.status, "SUCCESS");
    const page = await getPage(
      `${sim.url}/home/amazon_aws/${DEMO_APP_ID}/272?onetimetoken=${ok.body.sessionToken}`,
    );
    assert.ok(samlFromPage(page.text)!.xml.includes(":role/Engineer"));
  });
});

Deno.test("appLinks with the Okta session cookie (no Authorization): the user's apps, else E0000005", async () => {
  const second = testApp({ id: "0oa2SECONDapp0002", label: "AWS Sandbox" });
  await withSim({ users: [testUser({ apps: [testApp(), second] })] }, async (sim) => {
    const user = sim.state.users[0]!;
    const jar = new Jar();
    await getPage(
      `${sim.url}/home/amazon_aws/${user.apps[0]!.id}/272?onetimetoken=${await sessionTokenFor(sim, user)}`,
      jar,
    );
    const links = await fetch(`${sim.url}/api/v1/users/me/appLinks`, { headers: { cookie: jar.header()! } });
    assert.equal(links.status, 200);
    const aws = (await links.json()).filter((link: { appName: string }) => link.appName === "amazon_aws");
    assert.deepEqual(
      aws.map((link: { appInstanceId: string; linkUrl: string }) => [link.appInstanceId, link.linkUrl]),
      [
        [user.apps[0]!.id, `${sim.url}/home/amazon_aws/${user.apps[0]!.id}/272`],
        [second.id, `${sim.url}/home/amazon_aws/${second.id}/272`],
      ],
    );

    sim.state.sessions.clear();
    const over = await fetch(`${sim.url}/api/v1/users/me/appLinks`, { headers: { cookie: jar.header()! } });
    assert.equal(over.status, 403);
    assert.equal((await over.json()).errorCode, "E0000005");
    // With an Authorization header only the token counts, even next to a live session cookie.
    await getPage(
      `${sim.url}/home/amazon_aws/${user.apps[0]!.id}/272?onetimetoken=${await sessionTokenFor(sim, user)}`,
      jar,
    );
    const bearer = await fetch(`${sim.url}/api/v1/users/me/appLinks`, {
      headers: { cookie: jar.header()!, authorization: "Bearer nope" },
    });
    assert.equal(bearer.status, 401);
    await bearer.body?.cancel();
  });
});
