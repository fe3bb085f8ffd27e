/**
 * A local, ECS-style credential endpoint for `exec --server`: SDKs in a long-running child read
 * AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN and come back here
 * whenever their credentials near expiry, so the child never runs on stale keys.
 *
 * It listens on 127.0.0.1 only, on a random port, and answers nothing without the random token
 * (403). Requests are served one at a time: each goes through the credentials use case (cache,
 * lock, login when needed), and serializing them keeps a burst of SDK threads from starting
 * parallel logins inside this one process.
 *
 * @module
 */

import type { AwsCredentials } from "../../aws/credentials.ts";
import { containerCredentialsJson } from "../../aws/container_credentials.ts";
import { AppError } from "../../errors.ts";

/** Options for {@linkcode startCredentialServer}. */
export interface CredentialServerOptions {
  /** Produces the credentials for one request (expected to be cheap when cached). */
  credentials: () => Promise<{ credentials: AwsCredentials; roleArn?: string | undefined }>;
  /** Told about each failed request, with the error (for one line on stderr). */
  onError: (error: unknown) => void;
  /** Debug sink (no secrets). */
  debug: (line: string) => void;
}

/** A running endpoint. */
export interface CredentialServer {
  /** `http://127.0.0.1:<port>/`: the value of AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  url: string;
  /** The value of AWS_CONTAINER_AUTHORIZATION_TOKEN (a secret). */
  token: string;
  /** Stops listening. */
  close(): Promise<void>;
}

/** Starts the endpoint on a random loopback port. */
export function startCredentialServer(options: CredentialServerOptions): CredentialServer {
  const token = randomToken();
  const expected = new TextEncoder().encode(token);
  let queue: Promise<unknown> = Promise.resolve();

  const handler = (request: Request): Promise<Response> => {
    const given = new TextEncoder().encode(request.headers.get("authorization") ?? "");
    if (!sameBytes(given, expected)) {
      options.debug(`server: ${request.method} refused: missing or wrong authorization token`);
      return Promise.resolve(problem(403, "AccessDenied", "missing or wrong authorization token"));
    }
    if (request.method !== "GET") {
      return Promise.resolve(problem(405, "MethodNotAllowed", `method ${request.method} is not allowed`));
    }
    const served = queue.then(async () => {
      try {
        const { credentials, roleArn } = await options.credentials();
        options.debug(`server: served credentials expiring ${credentials.expiration.toISOString()}`);
        return new Response(containerCredentialsJson(credentials, roleArn), {
          headers: { "content-type": "application/json", "cache-control": "no-store" },
        });
      } catch (error) {
        options.onError(error);
        const message = error instanceof AppError ? error.message : "could not get credentials";
        return problem(500, "CredentialsUnavailable", message);
      }
    });
    queue = served;
    return served;
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    token,
    close: () => closed ??= server.shutdown(),
  };
}

function problem(status: number, code: string, message: string): Response {
  return Response.json({ code, message }, { status, headers: { "cache-control": "no-store" } });
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Compares in time that depends only on the length, so the token cannot be guessed byte by byte. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
