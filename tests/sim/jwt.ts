/**
 * Compact JWS for the simulator: signing the tokens it issues (RS256 with its own key) and
 * verifying JWTs it is handed (its own tokens, and client assertions signed with a registered
 * public JWK: RS256, ES256, ES384, ES512). Written independently of the client's signer.
 *
 * @module
 */

/** A decoded, verified JWT. */
export interface VerifiedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

function b64url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

function fromB64url(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.fromBase64(text, { alphabet: "base64url" }) as Uint8Array<ArrayBuffer>;
}

function json(bytes: Uint8Array): Record<string, unknown> {
  const value = JSON.parse(new TextDecoder().decode(bytes));
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
  return value;
}

/** Signs claims with the simulator's RSA key (RS256). */
export async function signSimJwt(
  key: CryptoKey,
  claims: Record<string, unknown>,
  kid = "sim",
): Promise<string> {
  const encoder = new TextEncoder();
  const input = `${b64url(encoder.encode(JSON.stringify({ alg: "RS256", kid, typ: "JWT" })))}.${
    b64url(encoder.encode(JSON.stringify(claims)))
  }`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, encoder.encode(input));
  return `${input}.${b64url(new Uint8Array(signature))}`;
}

const ALGORITHMS: Record<
  string,
  { import: RsaHashedImportParams | EcKeyImportParams; verify: AlgorithmIdentifier | EcdsaParams }
> = {
  RS256: {
    import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    verify: "RSASSA-PKCS1-v1_5",
  },
  ES256: { import: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } },
  ES384: { import: { name: "ECDSA", namedCurve: "P-384" }, verify: { name: "ECDSA", hash: "SHA-384" } },
  ES512: { import: { name: "ECDSA", namedCurve: "P-521" }, verify: { name: "ECDSA", hash: "SHA-512" } },
};

/**
 * Verifies a compact JWS with `key` (a CryptoKey for our own RS256 tokens, or a JWK). Returns
 * undefined for anything malformed or a bad signature.
 */
export async function verifyJwt(
  token: string,
  key: CryptoKey | JsonWebKey,
): Promise<VerifiedJwt | undefined> {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const header = json(fromB64url(parts[0]!));
    const claims = json(fromB64url(parts[1]!));
    const alg = ALGORITHMS[String(header.alg)];
    if (!alg) return undefined;
    const cryptoKey = key instanceof CryptoKey
      ? key
      : await crypto.subtle.importKey("jwk", key, alg.import, false, ["verify"]);
    const ok = await crypto.subtle.verify(
      alg.verify,
      cryptoKey,
      fromB64url(parts[2]!),
      new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
    );
    return ok ? { header, claims } : undefined;
  } catch {
    return undefined;
  }
}
