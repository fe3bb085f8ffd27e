import assert from "node:assert/strict";
import { generateSoftwareKey, SoftwareSecurityKey } from "../../src/fido/software_key.ts";
import {
  u2fClientData,
  u2fVerifyBody,
  webAuthnClientData,
  webAuthnVerifyBody,
} from "../../src/okta/factors/webauthn.ts";
import { derToRaw, fidoFactor } from "./okta_webauthn.ts";
import type { Simulator } from "./simulator.ts";
import type { SimFidoCredential } from "./state.ts";
import { postJson, testUser, withSim } from "./testing.ts";

interface Setup {
  sim: Simulator;
  key: SoftwareSecurityKey;
  credential: SimFidoCredential;
}

async function withKey(
  factorType: "webauthn" | "u2f",
  fn: (setup: Setup, challenge: (extra?: Partial<SimFidoCredential>) => Promise<Challenged>) => Promise<void>,
): Promise<void> {
  const pair = await generateSoftwareKey();
  const path = await Deno.makeTempFile();
  await Deno.writeTextFile(path, JSON.stringify(pair.privateJwk));
  const key = await SoftwareSecurityKey.load(path);
  await Deno.remove(path);
  const credential: SimFidoCredential = { credentialId: pair.credentialId, publicKey: pair.publicJwk };
  const factor = fidoFactor("fwfSIM0000000001", factorType, credential);
  await withSim({ users: [testUser({}, [factor])] }, async (sim) => {
    const challenge = async (extra: Partial<SimFidoCredential> = {}): Promise<Challenged> => {
      factor.fido = { ...credential, ...extra };
      const r = await postJson(`${sim.url}/api/v1/authn`, {
        username: "bob@example.com",
        password: "hunter2",
      });
      const href = r.body._embedded.factors[0]._links.verify.href;
      const c = await postJson(href, { stateToken: r.body.stateToken });
      assert.equal(c.body.status, "MFA_CHALLENGE");
      return { href, stateToken: c.body.stateToken, body: c.body };
    };
    await fn({ sim, key, credential }, challenge);
  });
}

interface Challenged {
  href: string;
  stateToken: string;
  // deno-lint-ignore no-explicit-any
  body: any;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

async function webAuthnAnswer(setup: Setup, c: Challenged, origin = setup.sim.url, uv = false) {
  const challenge = c.body._embedded.factor._embedded.challenge.challenge;
  const clientData = webAuthnClientData(challenge, origin);
  const assertion = await setup.key.getAssertion({
    rpId: "127.0.0.1",
    clientDataHash: await sha256(clientData),
    allowCredentialIds: [],
    userVerification: uv ? "required" : "discouraged",
  });
  return { clientData, assertion };
}

Deno.test("webauthn: the challenge names the credential; a correct answer succeeds once", async () => {
  await withKey("webauthn", async (setup, challenge) => {
    const c = await challenge();
    assert.equal(c.body.factorResult, "CHALLENGE");
    assert.equal(c.body._embedded.factor.profile.credentialId, setup.credential.credentialId);
    assert.equal(c.body._embedded.factor._embedded.challenge.userVerification, undefined);
    const { clientData, assertion } = await webAuthnAnswer(setup, c);
    const body = webAuthnVerifyBody(c.stateToken, clientData, assertion);
    const ok = await postJson(c.href, body);
    assert.equal(ok.body.status, "SUCCESS");
    assert.equal(setup.sim.count("fido:verified"), 1);
  });
});

Deno.test("webauthn: wrong encoding, origin, challenge, UV flag or replay are refused", async () => {
  await withKey("webauthn", async (setup, challenge) => {
    const refused = async (body: Record<string, string>, href: string) => {
      const r = await postJson(href, body);
      assert.equal(r.status, 403, JSON.stringify(r.body));
      assert.equal(r.body.errorCode, "E0000068");
      return r.body.errorCauses[0].errorSummary as string;
    };
    // base64url where Okta documents base64: 37 bytes of authenticator data always need padding
    let c = await challenge();
    let answer = await webAuthnAnswer(setup, c);
    const good = webAuthnVerifyBody(c.stateToken, answer.clientData, answer.assertion);
    const urlSafe = {
      ...good,
      authenticatorData: answer.assertion.authenticatorData.toBase64({
        alphabet: "base64url",
        omitPadding: true,
      }),
    };
    assert.notEqual(urlSafe.authenticatorData, good.authenticatorData);
    assert.match(await refused(urlSafe, c.href), /must be base64/);
    // the challenge was used up by the refused answer: the good one now gets a new challenge
    const replay = await postJson(c.href, good);
    assert.equal(replay.body.status, "MFA_CHALLENGE");

    c = await challenge();
    answer = await webAuthnAnswer(setup, c, "https://evil.example");
    assert.match(
      await refused(webAuthnVerifyBody(c.stateToken, answer.clientData, answer.assertion), c.href),
      /origin is not the org/,
    );

    c = await challenge();
    answer = await webAuthnAnswer(setup, c);
    const other = await challenge();
    assert.match(
      await refused(webAuthnVerifyBody(other.stateToken, answer.clientData, answer.assertion), other.href),
      /not the issued challenge/,
    );

    c = await challenge({ userVerification: "required" });
    assert.equal(c.body._embedded.factor._embedded.challenge.userVerification, "required");
    answer = await webAuthnAnswer(setup, c);
    assert.match(
      await refused(webAuthnVerifyBody(c.stateToken, answer.clientData, answer.assertion), c.href),
      /user-verified flag/,
    );
    c = await challenge({ userVerification: "required" });
    answer = await webAuthnAnswer(setup, c, setup.sim.url, true);
    assert.equal(
      (await postJson(c.href, webAuthnVerifyBody(c.stateToken, answer.clientData, answer.assertion))).body
        .status,
      "SUCCESS",
    );
  });
});

Deno.test("u2f: nonce challenge; web-safe answer verifies, a padded standard one does not", async () => {
  await withKey("u2f", async (setup, challenge) => {
    const sign = async (c: Challenged, clientData: string) => {
      const assertion = await setup.key.getAssertion({
        rpId: setup.sim.url,
        clientDataHash: await sha256(clientData),
        allowCredentialIds: [],
        userVerification: "discouraged",
      });
      return u2fVerifyBody(c.stateToken, clientData, assertion);
    };
    const clientDataFor = (c: Challenged) => {
      const text = u2fClientData(c.body._embedded.factor._embedded.challenge.nonce, setup.sim.url);
      // Trailing spaces (still valid JSON) make the length 1 mod 3, so standard base64 needs "==".
      return text + " ".repeat((4 - (text.length % 3)) % 3);
    };
    let c = await challenge();
    assert.equal(c.body._embedded.factor._embedded.challenge.timeoutSeconds, 20);
    let clientData = clientDataFor(c);
    const body = await sign(c, clientData);
    const standard = { ...body, clientData: new TextEncoder().encode(clientData).toBase64() };
    assert.ok(standard.clientData.endsWith("=="));
    const r = await postJson(c.href, standard);
    assert.equal(r.status, 403);
    assert.match(r.body.errorCauses[0].errorSummary, /web-safe base64 without padding/);
    c = await challenge();
    clientData = clientDataFor(c);
    assert.equal((await postJson(c.href, await sign(c, clientData))).body.status, "SUCCESS");
  });
});

Deno.test("derToRaw: pads short integers, drops sign bytes, rejects junk", () => {
  const r = new Uint8Array(32).fill(0x80);
  const s = Uint8Array.of(1, 2, 3);
  const der = Uint8Array.of(0x30, 2 + 33 + 2 + 3, 0x02, 33, 0, ...r, 0x02, 3, ...s);
  const raw = derToRaw(der);
  assert.deepEqual(raw?.subarray(0, 32), r);
  assert.deepEqual(raw?.subarray(32), Uint8Array.of(...new Uint8Array(29), 1, 2, 3));
  assert.equal(derToRaw(Uint8Array.of(0x30, 0)), undefined);
  assert.equal(derToRaw(Uint8Array.of(1, 2, 3)), undefined);
});
