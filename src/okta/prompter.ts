/**
 * The part of the user's {@linkcode Prompter} (src/ui/prompter.ts, its one home) that the Okta
 * login uses, so that test prompters need script no more than that.
 *
 * @module
 */

import type { Prompter } from "../ui/prompter.ts";

/** Interactive questions and progress lines the Okta login needs. */
export type OktaPrompter = Pick<Prompter, "text" | "secret" | "choose" | "say">;
