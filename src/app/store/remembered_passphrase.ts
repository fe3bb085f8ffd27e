/**
 * A prompter that asks for the keyring passphrase once per process. The file keyring asks for it
 * each time it is opened; commands that open it more than once (`login` reads the Okta domain
 * after the credentials, `exec --server` reads the cache on every SDK request) would otherwise
 * ask again and again.
 *
 * @module
 */

import type { Prompter } from "../../ui/prompter.ts";

/** Only passphrase questions are remembered: an MFA code or a password must be asked anew. */
const PASSPHRASE_QUESTION = /passphrase/i;

/** Wraps `prompter` so that each passphrase question is asked at most once. */
export function rememberPassphrase(prompter: Prompter): Prompter {
  const answers = new Map<string, Promise<string>>();
  return {
    text: (question, defaultValue) => prompter.text(question, defaultValue),
    choose: (question, options) => prompter.choose(question, options),
    say: (message) => prompter.say(message),
    ...(prompter.canAsk ? { canAsk: () => prompter.canAsk!() } : {}),
    secret(question) {
      if (!PASSPHRASE_QUESTION.test(question)) return prompter.secret(question);
      let answer = answers.get(question);
      if (!answer) {
        answer = prompter.secret(question);
        // A failed prompt (Ctrl-C, no terminal) is not remembered.
        answer.catch(() => answers.delete(question));
        answers.set(question, answer);
      }
      return answer;
    },
  };
}
