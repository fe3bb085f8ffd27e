/**
 * Identity Engine state of a simulator, kept beside {@linkcode SimState} (one per state object):
 * the org's pipeline, OIDC clients, device codes and the "browser" approving them, issued OAuth
 * tokens, web SSO tokens, and the simulator's own signing key for the JWTs it issues.
 *
 * Tests reach it with {@linkcode idx}`(sim.state)`; the browser step is an approval the test
 * performs ({@linkcode approveDevice}) or an automatic one after some polls.
 *
 * @module
 */

import type { SimState } from "./state.ts";

/** The demo OIDC native app (device flow + token exchange). */
export const DEMO_CLIENT_ID = "0oa9cliEXAMPLE";
/** The demo API service app (client credentials with private_key_jwt). */
export const DEMO_M2M_CLIENT_ID = "0oa9m2mEXAMPLE";

/** An OIDC client registered in the org. */
export interface SimOidcClient {
  /** client_id. */
  clientId: string;
  /** Whether refresh tokens are issued (offline_access granted). Default true. */
  refreshTokens?: boolean;
  /** Scopes the app may get; any when unset. */
  allowedScopes?: string[];
  /** AWS app ids that accept web SSO tokens from this client; every app when unset. */
  webSsoApps?: string[];
  /** private_key_jwt: the registered public key (JWK with `kid`). */
  publicJwk?: JsonWebKey & { kid?: string };
}

/** How the simulated browser answers device codes. */
export interface SimDeviceApproval {
  /**
   * "auto": approved as `login` after `afterPolls` pending polls; "manual": pending until
   * {@linkcode approveDevice} or a visit to the verification page; "deny": access_denied.
   */
  mode: "auto" | "manual" | "deny";
  /** Pending polls before the automatic approval (default 1). */
  afterPolls?: number;
  /** Who approves (default: the first user). */
  login?: string;
}

/** A device authorization in progress. */
export interface SimDeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scopes: string[];
  /** Epoch ms (simulator clock). */
  expiresAt: number;
  status: "pending" | "approved" | "denied" | "used";
  /** Approving user. */
  userId?: string;
  /** Polls answered so far. */
  polls: number;
}

/** An access or refresh token the simulator issued. */
export interface SimToken {
  userId: string;
  clientId: string;
  scopes: string[];
  /** Epoch ms. */
  expiresAt: number;
  /** The id token issued with it (access tokens only). */
  idToken?: string;
  /** Set when the session behind it was terminated. */
  revoked?: boolean;
}

/** A one-time web SSO token. */
export interface SimWebSsoToken {
  userId: string;
  appId: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Token-exchange refusals an app's sign-on policy can cause. */
export type SimPolicyError = "assurance" | "web-sso-not-allowed";

/** Everything Identity Engine. */
export class IdxState {
  /** `pipeline` of /.well-known/okta-organization. */
  pipeline: "idx" | "v1" = "idx";
  /** Registered OIDC clients. */
  clients: SimOidcClient[] = [
    { clientId: DEMO_CLIENT_ID, refreshTokens: true },
  ];
  /** The simulated browser. */
  approval: SimDeviceApproval = { mode: "auto", afterPolls: 1 };
  /** `interval` of device authorizations, seconds. */
  interval = 5;
  /** `expires_in` of device authorizations, seconds. */
  deviceCodeTtlSeconds = 600;
  /** Answer `slow_down` to this many polls first. */
  slowDownPolls = 0;
  /** Access/id token lifetime, seconds. */
  accessTokenTtlSeconds = 3600;
  /** Items per appLinks page. */
  appLinksPageSize = 20;
  /** Whether POST /login/token/sso works (false: 405, as older orgs). */
  ssoPost = true;
  /** Per-app token-exchange refusals. */
  policyErrors = new Map<string, SimPolicyError>();
  /** Custom authorization servers and their scopes (client credentials). */
  authorizationServers = new Map<string, string[]>([["default", ["okta-m2m-access"]]]);

  /** Device codes by device_code. */
  readonly deviceCodes = new Map<string, SimDeviceCode>();
  /** Access tokens. */
  readonly accessTokens = new Map<string, SimToken>();
  /** Refresh tokens (rotated on use). */
  readonly refreshTokens = new Map<string, SimToken>();
  /** Web SSO tokens (single use). */
  readonly webSsoTokens = new Map<string, SimWebSsoToken>();
  /** Client-assertion jti values already used. */
  readonly usedJtis = new Set<string>();
  /** JWTs (access tokens of client credentials) this simulator signed, by token. */
  readonly issuedJwts = new Map<string, { clientId: string; expiresAt: number; issuer: string }>();

  #keys?: Promise<CryptoKeyPair>;

  /** The simulator's RS256 key pair (made on first use). */
  signingKeys(): Promise<CryptoKeyPair> {
    return this.#keys ??= crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      false,
      ["sign", "verify"],
    ) as Promise<CryptoKeyPair>;
  }

  /** A registered client. */
  client(clientId: string | null): SimOidcClient | undefined {
    return clientId === null ? undefined : this.clients.find((c) => c.clientId === clientId);
  }

  /** Ends every session: later token exchanges fail as for a terminated session. */
  revokeAll(): void {
    for (const token of this.accessTokens.values()) token.revoked = true;
  }
}

const states = new WeakMap<SimState, IdxState>();

/** The Identity Engine state of a simulator. */
export function idx(state: SimState): IdxState {
  let found = states.get(state);
  if (!found) {
    found = new IdxState();
    states.set(state, found);
  }
  return found;
}

/**
 * Approves pending device codes (what the user does in the browser), optionally only the one with
 * `userCode`, as `login` (default: the first user). Returns how many were approved.
 */
export function approveDevice(state: SimState, userCode?: string, login?: string): number {
  const user = login ? state.userByLogin(login) : state.users[0];
  if (!user) return 0;
  let approved = 0;
  for (const code of idx(state).deviceCodes.values()) {
    if (code.status !== "pending" || (userCode !== undefined && code.userCode !== userCode)) continue;
    code.status = "approved";
    code.userId = user.id;
    approved += 1;
  }
  return approved;
}
