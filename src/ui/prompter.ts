/**
 * The one contract for asking the user: questions and progress lines, never on stdout. The real
 * one is {@linkcode createPrompter} (terminal.ts); the app layer hands it down, and the Okta login
 * and the security key name the part of it they use.
 *
 * @module
 */

/** Interactive questions and progress messages; never writes to stdout. */
export interface Prompter {
  /** Asks for a line of text; `defaultValue` is used for an empty answer. */
  text(question: string, defaultValue?: string): Promise<string>;
  /** Asks for a secret without echo. */
  secret(question: string): Promise<string>;
  /** Shows numbered options and returns the chosen index. */
  choose(question: string, options: readonly string[]): Promise<number>;
  /** Prints a progress or information line (stderr, or the terminal when stderr is captured). */
  say(message: string): void;
  /**
   * False when a question could not be answered (no terminal, and answers are not piped in), so a
   * use case can choose another way before it starts; absent means "can ask".
   */
  canAsk?(): boolean;
}
