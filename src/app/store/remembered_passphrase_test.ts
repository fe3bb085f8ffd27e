import assert from "node:assert/strict";
import type { Prompter } from "../../ui/prompter.ts";
import { rememberPassphrase } from "./remembered_passphrase.ts";

Deno.test("remembered passphrase: asked once; other secrets every time; failures not kept", async () => {
  const asked: string[] = [];
  let failNext = false;
  const inner: Prompter = {
    text: () => Promise.resolve(""),
    choose: () => Promise.resolve(0),
    say: () => {},
    secret: (question) => {
      asked.push(question);
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error("cancelled"));
      }
      return Promise.resolve(`answer ${asked.length}`);
    },
  };
  const prompter = rememberPassphrase(inner);
  const unlock = 'Enter passphrase to unlock "/home/u/.aws-okta": ';
  failNext = true;
  await assert.rejects(prompter.secret(unlock));
  assert.equal(await prompter.secret(unlock), "answer 2");
  assert.equal(await prompter.secret(unlock), "answer 2");
  assert.equal(await prompter.secret("Enter MFA code: "), "answer 3");
  assert.equal(await prompter.secret("Enter MFA code: "), "answer 4");
  assert.deepEqual(asked, [unlock, unlock, "Enter MFA code: ", "Enter MFA code: "]);
});
