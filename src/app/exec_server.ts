/**
 * `exec --server`: runs a command with a local credential endpoint instead of fixed keys, so a
 * long-running child (a shell, a test suite, a deploy) gets fresh credentials from the cache, the
 * lock and, when needed, a new login, whenever its SDK refreshes.
 *
 * @module
 */

import { childEnv } from "../aws/formats.ts";
import { credentialVars } from "./credential_vars.ts";
import { formatError } from "../errors.ts";
import { AppError } from "../errors.ts";
import type { AppContext } from "./context.ts";
import { type CredentialRequest, getCredentials } from "./credentials.ts";
import { startCredentialServer } from "./credential_server.ts";
import { runChild } from "./exec.ts";
import { rememberPassphrase } from "./remembered_passphrase.ts";

/** What to run. */
export interface ServerExecInput {
  /** The credentials to serve. */
  request: CredentialRequest;
  /** The command. */
  command: string;
  /** Its arguments. */
  args: readonly string[];
}

/** Variables of the exec environment that would pin the child to one set of keys. */
const STATIC_VARS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_OKTA_SESSION_EXPIRATION",
  "AWS_CREDENTIAL_EXPIRATION",
];

/**
 * Container-provider variables of the parent that SDKs would prefer over ours (a relative URI and
 * a token file both win over FULL_URI and the token).
 */
const CONTAINER_VARS = [
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/**
 * Logs in first (so any MFA prompt comes before the child starts), then serves credentials on
 * loopback while the child runs, and returns the child's exit code.
 */
export async function execWithCredentialServer(ctx: AppContext, input: ServerExecInput): Promise<number> {
  const context: AppContext = { ...ctx, prompter: rememberPassphrase(ctx.prompter) };
  const first = await getCredentials(context, input.request);
  // Only the first call may force a new login; later ones follow the cache like any other call.
  const { refresh: _refresh, ...later } = input.request;
  const server = startCredentialServer({
    credentials: async () => {
      const result = await getCredentials(context, later);
      return { credentials: result.credentials, roleArn: result.roleArn };
    },
    onError: (error) => {
      const line = error instanceof AppError ? formatError(error) : String(error).split("\n")[0];
      context.prompter.say(`aws-okta: credential server: ${line}`);
    },
    debug: context.debug,
  });
  context.debug(`server: listening on ${server.url}`);
  try {
    const vars = credentialVars(first);
    for (const name of STATIC_VARS) delete vars[name];
    vars.AWS_CONTAINER_CREDENTIALS_FULL_URI = server.url;
    vars.AWS_CONTAINER_AUTHORIZATION_TOKEN = server.token;
    return await runChild({
      command: input.command,
      args: input.args,
      env: childEnv(ctx.env.toObject(), vars, CONTAINER_VARS),
    });
  } finally {
    await server.close();
  }
}
