/**
 * The simulator's state: the configuration a test sets up (users, factors, apps, policies, STS
 * role trust, faults) and the records the simulator keeps (Okta sessions, authn transactions,
 * issued SAML assertions and STS credentials, request counts). Tests read and change it directly;
 * out-of-process tools use the `/__sim/` control API.
 *
 * @module
 */

import { type SimFault } from "./faults.ts";

/** Okta user status as seen by `/api/v1/authn`. */
export type SimUserStatus = "ACTIVE" | "LOCKED_OUT" | "PASSWORD_EXPIRED" | "PASSWORD_WARN" | "MFA_ENROLL";

/** The factor types the simulator knows. */
export type SimFactorType =
  | "push"
  | "token:software:totp"
  | "token:hardware"
  | "token"
  | "sms"
  | "call"
  | "email"
  | "question"
  | "web"
  | "u2f"
  | "webauthn"
  | "claims_provider";

/** What the simulated phone does with a push. */
export type SimPushDecision = "approve" | "reject" | "timeout" | "manual";

/** Push behaviour of a push factor. */
export interface SimPushBehaviour {
  /** The answer the phone gives; "manual" waits for the control API (`POST /__sim/push/<decision>`). */
  decision: SimPushDecision;
  /** Polls answered WAITING before the decision shows (default 0: the first poll sees it). */
  afterPolls?: number;
  /** Number challenge: sent as `_embedded.factor._embedded.challenge.correctAnswer`. */
  correctAnswer?: number;
}

/** An enrolled factor of a user. */
export interface SimFactor {
  /** Factor id; part of the verify URL. */
  id: string;
  /** Okta factor type. */
  factorType: SimFactorType;
  /** Okta provider (OKTA, GOOGLE, YUBICO, SYMANTEC, RSA, DUO, FIDO). */
  provider: string;
  /** The passcode, OTP or answer that verifies (totp, hardware, token, sms, call, email, question). */
  code?: string;
  /** Push behaviour (push factors; default: approve on the first poll). */
  push?: SimPushBehaviour;
  /** Replaces the default `profile` object of the factor. */
  profile?: Record<string, unknown>;
  /** Duo (`web`) factors: devices and prompt variants (push and call outcomes come from `push`). */
  duo?: SimDuoSettings;
  /** `u2f` and `webauthn` factors: the registered credential whose signatures verify. */
  fido?: SimFidoCredential;
}

/** The Duo side of a Duo factor (see tests/sim/duo.ts). */
export interface SimDuoSettings {
  /** Enrolled Duo devices (default phone1, phone2 and token). */
  devices?: string[];
  /** Redirect the frame auth into Duo's Universal Prompt (frameless v4) instead. */
  universalPrompt?: boolean;
  /** Answer the first frame auth with a page of hidden fields to post back, as older Duo does. */
  authForm?: boolean;
  /** Universal Prompt (`claims_provider`): run Duo's browser health check before the prompt. */
  healthcheck?: boolean;
  /** Universal Prompt: serve the 2023 server-rendered `login-form` page instead of the React prompt. */
  legacyPrompt?: boolean;
  /** Universal Prompt: answer with the newest single-page prompt (authkey-based, not followed). */
  singlePagePrompt?: boolean;
}

/** A security key credential registered for a FIDO factor (see tests/sim/okta_webauthn.ts). */
export interface SimFidoCredential {
  /** Credential id (key handle for U2F), base64url. */
  credentialId: string;
  /** The ES256 public key. */
  publicKey: JsonWebKey;
  /** WebAuthn user verification asked for in the challenge (none named when unset). */
  userVerification?: "required" | "preferred" | "discouraged";
}

/** A role the AWS app offers, as it appears in the SAML Role attribute. */
export interface SimRole {
  /** `arn:<partition>:iam::<account>:role/<name>`. */
  roleArn: string;
  /** `arn:<partition>:iam::<account>:saml-provider/<name>`. */
  principalArn: string;
}

/** An AWS app assigned to a user. */
export interface SimApp {
  /** App instance id (`0oa…`), the first path part of the embed link. */
  id: string;
  /** The number after the id in the embed link (`272` for AWS). */
  n: string;
  /** Dashboard label. */
  label: string;
  /** Roles sent in the SAML Role attribute (moto accepts only one). */
  roles: SimRole[];
  /** SessionDuration attribute (seconds), omitted when unset. */
  sessionDuration?: number;
  /** The app's sign-on policy needs MFA: a session without MFA gets the step-up page. */
  stepUp?: boolean;
  /** RoleSessionName attribute; the user's login by default. */
  roleSessionName?: string;
  /** Order inside each Role value; Okta sends "principal,role". */
  roleValueOrder?: "principal,role" | "role,principal";
  /** Adds AuthnStatement/@SessionNotOnOrAfter this many seconds after issue (caps STS credentials). */
  sessionNotOnOrAfterSeconds?: number;
  /** NameID format of the Subject (default unspecified). */
  nameIdFormat?: "unspecified" | "emailAddress" | "persistent" | "transient";
}

/** A user of the simulated Okta org. */
export interface SimUser {
  /** Login (username). */
  login: string;
  /** Password. */
  password: string;
  /** Okta user id (`00u…`). */
  id: string;
  /** Status answered by `/api/v1/authn` after a correct password (default ACTIVE). */
  status?: SimUserStatus;
  /** Enrolled factors; none means authn answers SUCCESS directly. */
  factors: SimFactor[];
  /** AWS apps assigned to the user. */
  apps: SimApp[];
  /**
   * Whether the sign-on policy asks for a factor at sign-in (default true). With false, the
   * password alone answers SUCCESS and apps with `stepUp` ask for the factor afterwards.
   */
  mfaOnSignIn?: boolean;
  /** Profile first name (derived from the login when unset). */
  firstName?: string;
  /** Profile last name. */
  lastName?: string;
}

/** The org's MFA remember-device policy (`_embedded.policy`). */
export interface SimPolicy {
  /** Whether `rememberDevice=true` on verify has any effect. */
  allowRememberDevice: boolean;
  /** How long a remembered device skips MFA. */
  rememberDeviceLifetimeInMinutes: number;
  /** Shown to clients only. */
  rememberDeviceByDefault: boolean;
}

/** Tunables; the defaults copy Okta's. */
export interface SimSettings {
  /** Okta session (`sid`) lifetime. Default 2 h. */
  sessionLifetimeMs: number;
  /** sessionToken lifetime. Default 5 min. */
  sessionTokenTtlMs: number;
  /** stateToken lifetime (renewed by each step). Default 5 min. */
  transactionTtlMs: number;
  /** SAML validity each side of the issue instant. Default 5 min. */
  samlValidityMs: number;
  /** Wrong MFA codes in a row that lock the user (the last one answers E0000069). Default 5. */
  maxFactorFailures: number;
  /** Minimum time between SMS/voice sends (E0000109 when sooner). Default 30 s. */
  smsResendIntervalMs: number;
  /** Answer 401 E0000004 instead of LOCKED_OUT, like orgs that hide lockouts. Default false. */
  hideLockout: boolean;
  /** Org name shown on HTML pages. */
  orgName: string;
  /** Rate-limit ceiling reported in X-Rate-Limit-Limit on API answers. */
  rateLimit: number;
}

/** Trust configuration of a role, for AssumeRole (and the SAML provider check). */
export interface SimRoleTrust {
  /** ExternalId the caller must pass. */
  externalId?: string;
  /** Role ARNs (and SAML provider ARNs) allowed to assume this role; any when unset. */
  trusts?: string[];
  /**
   * MaxSessionDuration of the role in seconds. Default 3600, IAM's default for a new role: a longer
   * DurationSeconds is refused as STS refuses it (ValidationError, "The requested DurationSeconds
   * exceeds the MaxSessionDuration set for this role."). Raise it per role for longer sessions.
   */
  maxSessionDuration?: number;
  /** IAM refuses this role's sessions (AccessDenied), e.g. iam:ListAccountAliases. */
  denyIam?: boolean;
}

/** An Okta session created by redeeming a sessionToken. */
export interface OktaSession {
  /** Cookie value of `sid`, also the session id. */
  id: string;
  /** Owner. */
  userId: string;
  /** Owner's login. */
  login: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  expiresAt: number;
  /** Whether a factor was verified (app step-up looks at this). */
  mfa: boolean;
  /** Authentication methods, as in `/api/v1/sessions/me`. */
  amr: string[];
}

/** A one-time sessionToken, before it is redeemed. */
export interface SessionTokenRecord {
  /** Owner. */
  userId: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Whether a factor was verified in the login that produced it. */
  mfa: boolean;
  /** Authentication methods used. */
  amr: string[];
  /** Set on a step-up login: the existing session the verification upgraded. */
  stepUpSessionId?: string;
}

/** Transaction states that carry a stateToken. */
export type AuthnTransactionStatus =
  | "MFA_REQUIRED"
  | "MFA_CHALLENGE"
  | "PASSWORD_EXPIRED"
  | "PASSWORD_WARN"
  | "MFA_ENROLL";

/** Progress of a push challenge. */
export interface PushChallenge {
  /** Polls answered so far since the push was sent. */
  polls: number;
  /** Current factorResult. */
  result: "WAITING" | "REJECTED" | "TIMEOUT" | "APPROVED";
  /** A decision made through the control API, shown on the next poll. */
  decided?: "approve" | "reject" | "timeout";
}

/** An Authn transaction (one stateToken). */
export interface AuthnTransaction {
  /** The token clients send back. */
  stateToken: string;
  /** Owner. */
  userId: string;
  /** Current status. */
  status: AuthnTransactionStatus;
  /** Epoch ms; renewed by each step. */
  expiresAt: number;
  /** Device token from the authn call (DT cookie or context.deviceToken). */
  deviceToken?: string;
  /** Set when the transaction came from an app's step-up page. */
  stepUp?: { sessionId: string; appId: string; n: string };
  /** The factor being challenged (MFA_CHALLENGE). */
  factorId?: string;
  /** Push progress when the challenged factor is a push. */
  push?: PushChallenge;
  /** When the current OTP (sms/call/email) was sent, epoch ms. */
  codeSentAt?: number;
}

/** A SAML Response this simulator issued (STS accepts only these). */
export interface IssuedAssertion {
  /** Response ID. */
  id: string;
  /** The exact XML; STS compares it, which stands in for the signature check. */
  xml: string;
  /** Subject NameID. */
  nameId: string;
  /** NameID format URI. */
  nameIdFormat: string;
  /** Issuer (`http://www.okta.com/exk…`). */
  issuer: string;
  /** Roles offered. */
  roles: SimRole[];
  /** RoleSessionName attribute. */
  roleSessionName: string;
  /** Epoch ms; after this the assertion is expired. */
  notOnOrAfter: number;
  /** Epoch ms; caps credential lifetime when set. */
  sessionNotOnOrAfter?: number;
  /** Audience/Recipient (the partition's ACS URL). */
  recipient: string;
  /** Epoch ms. */
  issuedAt: number;
  /** App that issued it. */
  appId: string;
  /** Times it was presented to AssumeRoleWithSAML. */
  uses: number;
}

/** STS credentials this simulator issued. */
export interface IssuedCredentials {
  /** `ASIA…`. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token. */
  sessionToken: string;
  /** Epoch ms. */
  issuedAt: number;
  /** Epoch ms. */
  expiresAt: number;
  /** The STS action that issued them. */
  action: "AssumeRoleWithSAML" | "AssumeRole" | "AssumeRoleWithWebIdentity";
  /** The role assumed. */
  roleArn: string;
  /** Last part of the assumed-role ARN. */
  roleSessionName: string;
  /** `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`. */
  assumedRoleArn: string;
  /** `AROA…:<session>`. */
  assumedRoleId: string;
  /** Account of the role. */
  account: string;
  /** Duration asked for (or the default). */
  durationSeconds: number;
  /** AssumeRole: the access key of the caller (which session asked). */
  callerAccessKeyId?: string;
  /** AssumeRoleWithSAML: the assertion's Subject. */
  subject?: string;
  /** AssumeRoleWithSAML: the provider ARN used. */
  principalArn?: string;
  /** ExternalId passed, if any. */
  externalId?: string;
  /** SourceIdentity passed, if any. */
  sourceIdentity?: string;
}

/** One handled request, for tests that check what a client sent. */
export interface SimRequestRecord {
  /** Count key, e.g. "POST /api/v1/authn" or "sts:AssumeRole". */
  key: string;
  /** HTTP method. */
  method: string;
  /** Path without the query. */
  path: string;
  /** Names of the query parameters (values are left out: they may be secrets). */
  queryKeys: string[];
  /** Names of the cookies sent. */
  cookieNames: string[];
  /** The User-Agent header, if any (Okta policy rules can match it). */
  userAgent?: string;
  /** okta-aws-cli's X-Okta-Aws-Cli-Operation header, if any. */
  oktaAwsCliOperation?: string;
  /** Response status. */
  status: number;
}

/** Options of `startSimulator`: everything here is copied into the state. */
export interface SimOptions {
  /** Users; default one demo user (see {@linkcode defaultUsers}). */
  users?: SimUser[];
  /** Remember-device policy overrides. */
  policy?: Partial<SimPolicy>;
  /** Tunable overrides. */
  settings?: Partial<SimSettings>;
  /** Role trust configuration for STS, by role ARN. */
  roles?: Record<string, SimRoleTrust>;
  /** IAM account aliases, by account id. */
  accountAliases?: Record<string, string>;
  /** Faults to inject. */
  faults?: SimFault[];
  /** Delay added to every request, in ms. */
  delayMs?: number;
  /** Port to listen on (default 0: any free port). */
  port?: number;
}

/** The demo user's login. */
export const DEMO_LOGIN = "alice@example.com";
/** The demo user's password. */
export const DEMO_PASSWORD = "correct horse";
/** The demo AWS app instance id. */
export const DEMO_APP_ID = "0oa1abcdEFGH2345";
/** The demo account id (moto's default account, so its GetCallerIdentity agrees). */
export const DEMO_ACCOUNT = "123456789012";

/** The default users: alice@example.com / "correct horse" with one auto-approving push factor. */
export function defaultUsers(): SimUser[] {
  return [{
    login: DEMO_LOGIN,
    password: DEMO_PASSWORD,
    id: "00u1a2b3c4d5e6f7g8h9",
    firstName: "Alice",
    lastName: "Example",
    factors: [{
      id: "opf1pushAAAAAAAAAAA1",
      factorType: "push",
      provider: "OKTA",
      push: { decision: "approve" },
    }],
    apps: [{
      id: DEMO_APP_ID,
      n: "272",
      label: "AWS Production",
      roles: [
        {
          roleArn: `arn:aws:iam::${DEMO_ACCOUNT}:role/Engineer`,
          principalArn: `arn:aws:iam::${DEMO_ACCOUNT}:saml-provider/Okta`,
        },
        {
          roleArn: `arn:aws:iam::${DEMO_ACCOUNT}:role/ReadOnly`,
          principalArn: `arn:aws:iam::${DEMO_ACCOUNT}:saml-provider/Okta`,
        },
      ],
    }],
  }];
}

/** Default tunables. */
export function defaultSettings(): SimSettings {
  return {
    sessionLifetimeMs: 2 * 60 * 60 * 1000,
    sessionTokenTtlMs: 5 * 60 * 1000,
    transactionTtlMs: 5 * 60 * 1000,
    samlValidityMs: 5 * 60 * 1000,
    maxFactorFailures: 5,
    smsResendIntervalMs: 30 * 1000,
    hideLockout: false,
    orgName: "Acme",
    rateLimit: 600,
  };
}

/** Mutable configuration and records of one simulator. */
export class SimState {
  /** Users (configuration; change freely between requests). */
  users: SimUser[];
  /** Remember-device policy. */
  policy: SimPolicy;
  /** Tunables. */
  settings: SimSettings;
  /** STS role trust and MaxSessionDuration, by role ARN. */
  roles: Record<string, SimRoleTrust>;
  /** IAM account aliases, by account id (ListAccountAliases). */
  accountAliases: Record<string, string>;
  /** Faults, applied in order before normal handling. */
  faults: SimFault[];
  /** Delay added to every request, in ms. */
  delayMs: number;
  /**
   * Added to the real clock for every expiry decision (sessions, tokens, assertions, credentials),
   * so tests can move time forward. SigV4 clock-skew checks use the real clock, since clients sign
   * with it.
   */
  clockOffsetMs = 0;

  /** Okta sessions by `sid`. */
  readonly sessions = new Map<string, OktaSession>();
  /** Unredeemed sessionTokens. */
  readonly sessionTokens = new Map<string, SessionTokenRecord>();
  /** Authn transactions by stateToken. */
  readonly transactions = new Map<string, AuthnTransaction>();
  /** Remembered devices: DT value → user id → remembered until (epoch ms). */
  readonly devices = new Map<string, Map<string, number>>();
  /** Wrong MFA codes in a row, by user id. */
  readonly factorFailures = new Map<string, number>();
  /** Users locked by too many MFA failures (on top of their configured status). */
  readonly lockedUsers = new Set<string>();
  /** Issued SAML assertions by Response ID. */
  readonly assertions = new Map<string, IssuedAssertion>();
  /** Issued STS credentials by access key id. */
  readonly credentials = new Map<string, IssuedCredentials>();
  /** Handled requests, oldest first. */
  readonly requests: SimRequestRecord[] = [];
  /** Request counts by key. */
  readonly requestCounts = new Map<string, number>();

  constructor(options: SimOptions = {}) {
    this.users = options.users ?? defaultUsers();
    this.policy = {
      allowRememberDevice: true,
      rememberDeviceLifetimeInMinutes: 15,
      rememberDeviceByDefault: false,
      ...options.policy,
    };
    this.settings = { ...defaultSettings(), ...options.settings };
    this.roles = { ...options.roles };
    this.accountAliases = { ...options.accountAliases };
    this.faults = [...(options.faults ?? [])];
    this.delayMs = options.delayMs ?? 0;
  }

  /** The simulator's clock (epoch ms). */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Adds one to a count. */
  bump(key: string): void {
    this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
  }

  /** A count (0 when never seen). */
  count(key: string): number {
    return this.requestCounts.get(key) ?? 0;
  }

  /** All counts as a plain object. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.requestCounts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /**
   * Forgets counts, request records, Okta sessions, tokens, transactions and MFA lockouts.
   * Remembered devices, issued assertions and STS credentials stay: they live outside Okta's
   * login state, and a test that resets between phases may still hold them.
   */
  reset(): void {
    this.requestCounts.clear();
    this.requests.length = 0;
    this.sessions.clear();
    this.sessionTokens.clear();
    this.transactions.clear();
    this.factorFailures.clear();
    this.lockedUsers.clear();
  }

  /**
   * Ends issued STS credentials early, as AWS does when a session is revoked (then STS answers
   * InvalidClientTokenId) or has run out (ExpiredToken). `match` picks which: all when absent.
   * Returns how many were changed.
   */
  endCredentials(how: "revoke" | "expire", match: (c: IssuedCredentials) => boolean = () => true): number {
    let changed = 0;
    for (const [accessKeyId, credentials] of this.credentials) {
      if (!match(credentials)) continue;
      if (how === "revoke") this.credentials.delete(accessKeyId);
      else credentials.expiresAt = Math.min(credentials.expiresAt, this.now());
      changed += 1;
    }
    return changed;
  }

  /** The user with this login (case-insensitive, like Okta). */
  userByLogin(login: string): SimUser | undefined {
    const wanted = login.toLowerCase();
    return this.users.find((u) => u.login.toLowerCase() === wanted);
  }

  /** The user with this id. */
  userById(id: string): SimUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /** The effective status of a user (an MFA lockout wins over the configured status). */
  userStatus(user: SimUser): SimUserStatus {
    return this.lockedUsers.has(user.id) ? "LOCKED_OUT" : user.status ?? "ACTIVE";
  }

  /** A live (unexpired) Okta session, or undefined; expired ones are dropped. */
  liveSession(sid: string | undefined): OktaSession | undefined {
    if (sid === undefined) return undefined;
    const session = this.sessions.get(sid);
    if (!session) return undefined;
    if (session.expiresAt <= this.now() || !this.userById(session.userId)) {
      this.sessions.delete(sid);
      return undefined;
    }
    return session;
  }

  /** A live transaction, or undefined; expired ones are dropped. */
  liveTransaction(stateToken: unknown): AuthnTransaction | undefined {
    if (typeof stateToken !== "string") return undefined;
    const tx = this.transactions.get(stateToken);
    if (!tx) return undefined;
    if (tx.expiresAt <= this.now() || !this.userById(tx.userId)) {
      this.transactions.delete(stateToken);
      return undefined;
    }
    return tx;
  }

  /** An app known to the org (assigned to anyone) by id and number. */
  findApp(id: string, n: string): SimApp | undefined {
    for (const user of this.users) {
      const app = user.apps.find((a) => a.id === id && a.n === n);
      if (app) return app;
    }
    return undefined;
  }
}
