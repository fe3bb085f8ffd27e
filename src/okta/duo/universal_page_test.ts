import assert from "node:assert/strict";
import { readDuoPage } from "./universal_page.ts";

Deno.test("plugin form: every input of form#plugin_form, entities decoded, other forms ignored", async () => {
  const page = await readDuoPage(`<!DOCTYPE html><html><body>
<form id="other"><input type="hidden" name="tx" value="not this one"></form>
<form method='post' id="plugin_form">
  <input type="hidden" name="tx" value="eyJh.eyJz.c2ln" />
  <input value="None" name="parent" type="hidden">
  <input type="hidden" name="_xsrf" value="a&#x2f;b&#x3d;&amp;c" />
  <input type="hidden" name="react_support" value="" />
  <input type="hidden" name="tx" value="second tx is ignored" />
</form></body></html>`);
  assert.deepEqual(page.pluginForm, {
    fields: { tx: "eyJh.eyJz.c2ln", parent: "None", _xsrf: "a/b=&c", react_support: "" },
  });
  assert.equal(page.loginForm, undefined);
  assert.equal(page.singlePage, false);
  assert.equal(page.xsrfToken, undefined);
});

Deno.test("login form: its own fields only (not the per-method rows), the device list and the action", async () => {
  const page = await readDuoPage(`<html><body>
<form action="&#x2f;frame&#x2f;prompt" method="post" id="login-form">
<input type="hidden" name="sid" value="frameless-1">
<input type="hidden" name="_xsrf" value="x1">
<input type="hidden" name="preferred_device" value="phone2">
<fieldset class="device-selector"><select name="device">
<option value="phone1">Phone 1 &#x28;XXX-XXX-1111&#x29;</option>
<option value="phone2">Phone 2</option>
</select></fieldset>
<fieldset data-device-index="phone1">
<div><input type="hidden" name="factor" value="Duo&#x20;Push"></div>
<div><input type="text" name="passcode"><input name="phone-smsable" type="hidden" value="True" /></div>
</fieldset>
<input type="hidden" name="factor" value="Duo Push">
</form>
<form class="oidc-exit-form" action="/frame/prompt/oidc/exit"><input type="hidden" name="txid" value=""></form>
</body></html>`);
  assert.deepEqual(page.loginForm, {
    action: "/frame/prompt",
    fields: { sid: "frameless-1", _xsrf: "x1", preferred_device: "phone2" },
    devices: ["phone1", "phone2"],
  });
});

Deno.test("the React pages' xsrf_token comes from their JSON data; the first one wins", async () => {
  const page = await readDuoPage(`<html><body><div id="root"></div>
<script type="application/json" id="base-data">{"page": "prompt", "xsrf_token": "tok-1", "sid": "s"}</script>
<script>var later = {"xsrf_token":"tok-2"};</script>
</body></html>`);
  assert.equal(page.xsrfToken, "tok-1");
  assert.equal((await readDuoPage(`<p>"xsrf_token": "outside a script"</p>`)).xsrfToken, undefined);
});

Deno.test("the newest single-page prompt is recognised by its data-authkey root", async () => {
  const page = await readDuoPage(
    `<html><body><div id="app" data-akey="DA1" data-authkey="k2"></div></body></html>`,
  );
  assert.equal(page.singlePage, true);
  assert.equal(page.pluginForm, undefined);
  assert.equal((await readDuoPage("<html><body>Something went wrong</body></html>")).singlePage, false);
});
