import assert from "node:assert/strict";
import { fidoFactor } from "../../../tests/sim/okta_webauthn.ts";
import { startSimulator } from "../../../tests/sim/simulator.ts";
import type { SimFidoCredential } from "../../../tests/sim/state.ts";
import { AppError } from "../../errors.ts";
import { generateSoftwareKey, SoftwareSecurityKey } from "../../fido/software_key.ts";
import { type AuthnResponse, type Factor, primaryAuth } from "../authn.ts";
import { OktaClient } from "../client.ts";
import {
  u2fChallenge,
  u2fClientData,
  u2fVerifyBody,
  webAuthnChallenge,
  webAuthnClientData,
  webAuthnVerifyBody,
} from "./webauthn.ts";
import { chooseFactor, verifyFactor } from "./verify.ts";
import type { AssertionRequest, Authenticator } from "../../fido/authenticator.ts";
import { errorText, scriptedPrompter, testFetch } from "../test_support.ts";

const LOGIN = "erin@example.com";
const PASSWORD = "fido password";

/** A software key written to a temp file, and the credential a simulated Okta registers for it. */
async function softwareKey(): Promise<{ path: string; credential: SimFidoCredential }> {
  const pair = await generateSoftwareKey();
  const path = await Deno.makeTempFile({ suffix: ".jwk" });
  await Deno.writeTextFile(path, JSON.stringify(pair.privateJwk));
  return { path, credential: { credentialId: pair.credentialId, publicKey: pair.publicJwk } };
}

interface FidoRun {
  answer?: AuthnResponse;
  error?: unknown;
  counts: Record<string, number>;
  requests: AssertionRequest[];
  closed: number;
}

/** Verifies one FIDO factor of a fresh simulator user with the key in `keyFile`. */
async function runFido(
  factorType: "webauthn" | "u2f",
  credential: SimFidoCredential,
  keyFile: string,
): Promise<FidoRun> {
  const factor = fidoFactor("fwfKEY0000000001", factorType, credential);
  const sim = await startSimulator({
    users: [{ login: LOGIN, password: PASSWORD, id: "00uFIDO000000001", factors: [factor], apps: [] }],
  });
  const run: FidoRun = { counts: {}, requests: [], closed: 0 };
  try {
    const client = new OktaClient({ baseUrl: new URL(sim.url), fetch: testFetch(), retryDelayMs: 1 });
    const transaction = await primaryAuth(client, { username: LOGIN, password: PASSWORD });
    const offered = transaction._embedded?.factors?.[0] as Factor;
    const openSecurityKey = async (): Promise<Authenticator> => {
      const key = await SoftwareSecurityKey.load(keyFile);
      return {
        getAssertion: (request) => {
          run.requests.push(request);
          return key.getAssertion(request);
        },
        close: () => {
          run.closed++;
        },
      };
    };
    try {
      run.answer = await verifyFactor(client, transaction, offered, {
        prompter: scriptedPrompter(),
        openSecurityKey,
      });
    } catch (error) {
      run.error = error;
    }
    run.counts = sim.counts();
    return run;
  } finally {
    await sim.close();
  }
}

Deno.test("webauthn: the simulator verifies the ES256 signature over the real structures", async () => {
  const { path, credential } = await softwareKey();
  try {
    const run = await runFido("webauthn", credential, path);
    assert.equal(run.error, undefined, errorText(run.error));
    assert.equal(run.answer?.status, "SUCCESS");
    assert.equal(run.counts["fido:verified"], 1);
    assert.equal(run.closed, 1);
    const [request] = run.requests;
    assert.equal(request?.rpId, "127.0.0.1");
    assert.equal(request?.userVerification, "preferred");
    assert.deepEqual(
      request?.allowCredentialIds.map((id) => id.toBase64({ alphabet: "base64url", omitPadding: true })),
      [
        credential.credentialId,
      ],
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("webauthn: user verification required is passed on and the UV flag checked", async () => {
  const { path, credential } = await softwareKey();
  try {
    const run = await runFido("webauthn", { ...credential, userVerification: "required" }, path);
    assert.equal(run.answer?.status, "SUCCESS", errorText(run.error));
    assert.equal(run.requests[0]?.userVerification, "required");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("webauthn: a key that signs with another private key is rejected by Okta, clearly", async () => {
  const registered = await softwareKey();
  const impostor = await generateSoftwareKey();
  // Same credential id, different private key: only the signature check can tell.
  await Deno.writeTextFile(
    registered.path,
    JSON.stringify({ ...impostor.privateJwk, kid: registered.credential.credentialId }),
  );
  try {
    const run = await runFido("webauthn", registered.credential, registered.path);
    assert.ok(run.error instanceof AppError);
    assert.equal(
      run.error.message,
      "Okta rejected the security key's answer: Invalid Passcode/Answer",
    );
    assert.match(run.error.hint ?? "", /the one enrolled as "FIDO \(webauthn\)"/);
  } finally {
    await Deno.remove(registered.path);
  }
});

Deno.test("webauthn: a key without the allowed credential says so before Okta sees anything", async () => {
  const registered = await softwareKey();
  const other = await softwareKey();
  try {
    const run = await runFido("webauthn", registered.credential, other.path);
    assert.ok(run.error instanceof AppError);
    assert.equal(run.error.message, "the software security key holds none of the credentials Okta allows");
    assert.equal(run.counts["fido:challenge"], 1);
    assert.equal(run.counts["POST /api/v1/authn/factors/:id/verify"], 1);
  } finally {
    await Deno.remove(registered.path);
    await Deno.remove(other.path);
  }
});

Deno.test("u2f: flags, counter and signature in web-safe base64 verify against the app id", async () => {
  const { path, credential } = await softwareKey();
  try {
    const run = await runFido("u2f", credential, path);
    assert.equal(run.answer?.status, "SUCCESS", errorText(run.error));
    assert.equal(run.counts["fido:verified"], 1);
    assert.match(run.requests[0]?.rpId ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(run.requests[0]?.userVerification, "discouraged");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("without a security key opener the factor fails with a hint", async () => {
  const factor: Factor = {
    id: "fwf1",
    factorType: "webauthn",
    provider: "FIDO",
    _links: { verify: { href: "http://127.0.0.1:1/verify" } },
  };
  const sim = await startSimulator({
    users: [{
      login: LOGIN,
      password: PASSWORD,
      id: "00uFIDO000000002",
      factors: [fidoFactor("fwfKEY0000000002", "webauthn", (await softwareKey()).credential)],
      apps: [],
    }],
  });
  try {
    const client = new OktaClient({ baseUrl: new URL(sim.url), fetch: testFetch() });
    const transaction = await primaryAuth(client, { username: LOGIN, password: PASSWORD });
    const offered = transaction._embedded?.factors?.[0] ?? factor;
    await assert.rejects(verifyFactor(client, transaction, offered, { prompter: scriptedPrompter() }), {
      message: 'the MFA factor "FIDO (webauthn)" needs a security key, which is not available here',
    });
  } finally {
    await sim.close();
  }
});

Deno.test("webAuthnChallenge: on the factor, or grouped with every key's credential id", () => {
  const factor: Factor = {
    id: "f1",
    factorType: "webauthn",
    provider: "FIDO",
    profile: { credentialId: "own" },
  };
  const single: AuthnResponse = {
    status: "MFA_CHALLENGE",
    _embedded: {
      factor: {
        ...factor,
        profile: { credentialId: "AQID" },
        _embedded: { challenge: { challenge: "G7bIvwrJJ33WCEp6GGSH", userVerification: "required" } },
      },
    },
  };
  assert.deepEqual(webAuthnChallenge(single, factor), {
    challenge: "G7bIvwrJJ33WCEp6GGSH",
    credentialIds: ["AQID"],
    userVerification: "required",
  });
  const grouped: AuthnResponse = {
    status: "MFA_CHALLENGE",
    _embedded: {
      challenge: { challenge: "abc_-x", userVerification: "bogus" },
      factors: [
        { ...factor, id: "a", profile: { credentialId: "key-one" } },
        { ...factor, id: "b", profile: { credentialId: "key_two" } },
      ],
    },
  };
  assert.deepEqual(webAuthnChallenge(grouped, factor), {
    challenge: "abc_-x",
    credentialIds: ["key-one", "key_two"],
    userVerification: "preferred",
  });
  assert.throws(() => webAuthnChallenge({ status: "MFA_CHALLENGE" }, factor), /has no challenge/);
});

Deno.test("client data: WebAuthn's member order and re-encoded challenge; U2F's typ", () => {
  assert.equal(
    webAuthnClientData("G7bIvwrJJ33WCEp6GGSH", "https://acme.okta.com"),
    '{"type":"webauthn.get","challenge":"G7bIvwrJJ33WCEp6GGSH","origin":"https://acme.okta.com","crossOrigin":false}',
  );
  // Padding and the standard alphabet become base64url, as a browser's ArrayBuffer round trip does.
  assert.equal(JSON.parse(webAuthnClientData("+/8=", "https://a")).challenge, "-_8");
  assert.equal(
    u2fClientData("nonce-1", "https://acme.okta.com"),
    '{"typ":"navigator.id.getAssertion","challenge":"nonce-1","origin":"https://acme.okta.com"}',
  );
});

Deno.test("verify bodies: standard base64 for WebAuthn; flags, counter, signature for U2F", () => {
  const authData = new Uint8Array(37).fill(7);
  authData[32] = 0x05;
  authData.set([0, 0, 1, 2], 33);
  const assertion = {
    credentialId: Uint8Array.of(1),
    authenticatorData: authData,
    signature: Uint8Array.of(0xfb, 0xff),
  };
  assert.deepEqual(webAuthnVerifyBody("st", '{"a":"é"}', assertion), {
    stateToken: "st",
    clientData: "eyJhIjoiw6kifQ==",
    authenticatorData: authData.toBase64(),
    signatureData: "+/8=",
  });
  const u2f = u2fVerifyBody("st", "{}", assertion);
  assert.equal(u2f.clientData, "e30");
  assert.deepEqual(
    Uint8Array.fromBase64(u2f.signatureData ?? "", { alphabet: "base64url" }),
    Uint8Array.of(5, 0, 0, 1, 2, 0xfb, 0xff),
  );
  assert.throws(
    () => u2fVerifyBody("st", "{}", { ...assertion, authenticatorData: new Uint8Array(10) }),
    /too short/,
  );
});

Deno.test("u2fChallenge: nonce from the challenge, key handle and app id from the profile", () => {
  const factor: Factor = { id: "u1", factorType: "u2f", provider: "FIDO", profile: { credentialId: "kh_1" } };
  const answer = (profile: Record<string, unknown>): AuthnResponse => ({
    status: "MFA_CHALLENGE",
    _embedded: {
      factor: { ...factor, profile, _embedded: { challenge: { nonce: "n0nce", timeoutSeconds: 20 } } },
    },
  });
  assert.deepEqual(
    u2fChallenge(answer({ credentialId: "kh_2", appId: "https://acme.okta.com" }), factor, "https://x"),
    {
      nonce: "n0nce",
      keyHandle: "kh_2",
      appId: "https://acme.okta.com",
    },
  );
  assert.equal(u2fChallenge(answer({}), factor, "https://x").keyHandle, "kh_1");
  assert.equal(u2fChallenge(answer({ appId: "http://plain" }), factor, "https://x").appId, "https://x");
});

Deno.test("two security keys are told apart by their authenticator names when choosing", async () => {
  const key = (id: string, name: string): Factor => ({
    id,
    factorType: "webauthn",
    provider: "FIDO",
    profile: { credentialId: `${id}-cred`, authenticatorName: name },
  });
  const prompter = scriptedPrompter({ choose: [1] });
  const chosen = await chooseFactor([key("a", "YubiKey 5 NFC"), key("b", "Titan Key")], {}, prompter);
  assert.equal(chosen.id, "b");
  assert.deepEqual(prompter.choices, [["FIDO (webauthn) - YubiKey 5 NFC", "FIDO (webauthn) - Titan Key"]]);
});
