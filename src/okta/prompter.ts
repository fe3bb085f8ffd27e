/**
 * The questions the Okta login asks, typed structurally so that the app layer can pass its own
 * prompter (src/ui) without this folder importing it.
 *
 * @module
 */

/** Interactive questions and progress lines the Okta login needs. */
export interface OktaPrompter {
  /** Asks for a line of text (MFA codes are short-lived, so they are echoed). */
  text(question: string): Promise<string>;
  /** Asks for a secret without echo (passwords, security answers). */
  secret(question: string): Promise<string>;
  /** Shows numbered options and returns the chosen index. */
  choose(question: string, options: readonly string[]): Promise<number>;
  /** Prints a progress or information line on stderr. */
  say(message: string): void;
}
