/**
 * `aws-okta m2m`: a machine's way in, no person and no browser: the client credentials grant with
 * a private key JWT against an Okta custom authorization server, then STS
 * AssumeRoleWithWebIdentity with the access token, delivered in okta-aws-cli's output formats.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import { clientCredentialsToken } from "../../okta/client_credentials.ts";
import { oktaBaseUrl } from "../../okta/domain.ts";
import { importPrivateKey } from "../../okta/private_key.ts";
import { deliverCredentials, type OutputOptions, type Stdout } from "./aws_cli_output.ts";
import type { AppContext } from "../context.ts";

/** What `m2m` was asked for. */
export interface M2mInput {
  orgDomain: string;
  /** The API service app's client id. */
  clientId: string;
  /** `--key-id`: the key's `kid` in the app's JWKS. */
  keyId?: string;
  /** `--private-key`: the PEM text (literal "\n" allowed). */
  privateKey?: string;
  /** `--private-key-file`. */
  privateKeyFile?: string;
  /** `--custom-scope`. */
  scope: string;
  /** `--authz-id`. */
  authzId: string;
  /** `--aws-iam-role`. */
  roleArn: string;
  /** `--aws-sts-role-session-name`. */
  sessionName: string;
  /** `--aws-session-duration`. */
  sessionDuration: number;
  /** `--aws-region`: STS region. */
  region?: string;
  /** `--short-user-agent`. */
  shortUserAgent: boolean;
  output: OutputOptions;
}

/** Runs the m2m flow; returns the exit code (the child's with `--exec`). */
export async function runM2m(ctx: AppContext, input: M2mInput, stdout: Stdout): Promise<number> {
  const pem = await privateKeyText(input);
  const key = await importPrivateKey(pem);
  const baseUrl = oktaBaseUrl(input.orgDomain);
  const fetch = await ctx.buildFetch({
    host: baseUrl.host,
    operation: "m2m",
    shortUserAgent: input.shortUserAgent,
  });
  const tokens = await clientCredentialsToken({
    fetch,
    baseUrl,
    clientId: input.clientId,
    authzId: input.authzId,
    scopes: input.scope.split(/[\s,]+/).filter(Boolean),
    key,
    ...(input.keyId ? { keyId: input.keyId } : {}),
  });
  ctx.debug(`okta: client credentials token for "${input.clientId}" (${key.alg})`);
  const { assumeRoleWithWebIdentity } = await import("../../aws/sts.ts");
  const { withLongestSession } = await import("../sign_in/session_length.ts");
  // m2m's length is the user's or okta-aws-cli's default of 1 h: a refusal names the flag.
  const length = {
    seconds: input.sessionDuration,
    userSetting: "--aws-session-duration (OKTA_AWSCLI_SESSION_DURATION)",
  };
  const creds = await withLongestSession(
    ctx,
    input.roleArn,
    length,
    (durationSeconds) =>
      assumeRoleWithWebIdentity(
        { fetch, env: ctx.env, debug: ctx.debug, ...(input.region ? { region: input.region } : {}) },
        {
          roleArn: input.roleArn,
          roleSessionName: input.sessionName,
          webIdentityToken: tokens.accessToken,
          durationSeconds,
        },
      ),
  );
  return await deliverCredentials(ctx, creds, input.output, stdout) ?? 0;
}

async function privateKeyText(input: M2mInput): Promise<string> {
  if (input.privateKey) return input.privateKey;
  if (!input.privateKeyFile) {
    throw new AppError("no private key given", {
      hint:
        "pass --private-key-file (OKTA_AWSCLI_PRIVATE_KEY_FILE) or --private-key (OKTA_AWSCLI_PRIVATE_KEY)",
      exitCode: 2,
    });
  }
  try {
    return await Deno.readTextFile(input.privateKeyFile);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : "unreadable";
    throw new AppError(`cannot read the private key file "${input.privateKeyFile}": ${reason}`, {
      hint: "check --private-key-file",
      cause: error,
    });
  }
}
