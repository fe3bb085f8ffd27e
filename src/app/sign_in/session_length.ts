/**
 * Sessions as long as AWS allows. With no length asked for, AssumeRoleWithSAML asks for the app's
 * SessionDuration (often 12 h), but IAM roles allow 1 h unless raised, and STS then refuses the
 * call ("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."). When
 * the length came from SessionDuration, that refusal is answered by one retry at 1 h, and the
 * refusal is remembered per role for a day, so later logins ask for 1 h at once; after the day the
 * longer length is tried again (the role may have been raised). When the user asked for the
 * length, the refusal stays an error whose hint names the user's own setting.
 *
 * The memory is a small JSON file in the lock directory (role ARN → refused length and when).
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import { StsError } from "../../aws/sts_errors.ts";
import { writeFileAtomic } from "../../fs/atomic_write.ts";
import type { AppContext } from "../context.ts";
import { lockDir } from "../lock_dir.ts";

/** The length IAM roles allow unless raised, and the retry's. */
export const DEFAULT_ROLE_MAX_SECONDS = 3600;
/** How long a refusal is remembered before the longer length is tried again. */
export const REMEMBER_MS = 24 * 3600_000;

/** The session length to ask for, and whose it is. */
export interface SessionLength {
  seconds: number;
  /** The flag or setting the user gave it with (named in errors), or undefined for SessionDuration/default. */
  userSetting?: string;
}

type Memory = Record<string, { refused: number; at: string }>;

/**
 * Runs `call` (an AssumeRole* for `roleArn`) with the session length, falling back to 1 h once when
 * STS refuses a length that was not the user's (see the module doc).
 */
export async function withLongestSession<T>(
  ctx: AppContext,
  roleArn: string,
  length: SessionLength,
  call: (seconds: number) => Promise<T>,
): Promise<T> {
  let seconds = length.seconds;
  const path = memoryPath(ctx);
  if (length.userSetting === undefined && seconds > DEFAULT_ROLE_MAX_SECONDS) {
    const refused = (await readMemory(path))[roleArn];
    if (refused && seconds >= refused.refused && ctx.now().getTime() - Date.parse(refused.at) < REMEMBER_MS) {
      ctx.debug(`sts: "${roleArn}" refused ${refused.refused} s on ${refused.at}; asking for 1h`);
      seconds = DEFAULT_ROLE_MAX_SECONDS;
    }
  }
  try {
    return await call(seconds);
  } catch (error) {
    if (!isMaxSessionDurationError(error)) throw error;
    if (length.userSetting !== undefined) {
      throw new AppError(error.message, {
        hint: `lower ${length.userSetting}, or raise the role's maximum session duration in IAM`,
        cause: error,
      });
    }
    if (seconds <= DEFAULT_ROLE_MAX_SECONDS) throw error;
    await remember(ctx, path, roleArn, seconds);
    ctx.prompter.say(
      `Note: "${roleArn}" allows no ${hours(seconds)} sessions (its MaxSessionDuration is lower); ` +
        "using 1h. Raise it in IAM for longer sessions",
    );
    return await call(DEFAULT_ROLE_MAX_SECONDS);
  }
}

/** STS's refusal of a DurationSeconds above the role's MaxSessionDuration. */
export function isMaxSessionDurationError(error: unknown): error is StsError {
  return error instanceof StsError && error.code === "ValidationError" &&
    /exceeds the MaxSessionDuration/i.test(error.message);
}

function hours(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : `${seconds} s`;
}

function memoryPath(ctx: AppContext): string {
  return `${lockDir(ctx.env, ctx.home)}/max-session-duration.json`;
}

async function readMemory(path: string): Promise<Memory> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(path));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed as Memory : {};
  } catch {
    // Missing or damaged: nothing remembered, which costs one refused call at most.
    return {};
  }
}

async function remember(ctx: AppContext, path: string, roleArn: string, refused: number): Promise<void> {
  try {
    const memory = await readMemory(path);
    memory[roleArn] = { refused, at: ctx.now().toISOString() };
    await Deno.mkdir(path.replace(/[\\/][^\\/]*$/, ""), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(memory, null, 2)}\n`), {
      mode: 0o600,
    });
  } catch (error) {
    // Not remembering costs the next login one refused call, not the login itself.
    ctx.debug(`sts: cannot remember the session limit: ${error instanceof Error ? error.message : error}`);
  }
}
