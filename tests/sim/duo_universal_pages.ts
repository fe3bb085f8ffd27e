/**
 * The HTML pages of Duo's frameless Universal Prompt (v4), in the shapes public clients scrape:
 *
 * - the "plugin form" `/frame/frameless/v4/auth` serves first: hidden fields (`tx`, `parent`,
 *   `_xsrf`, …) plus empty browser-fingerprint fields its script fills in before posting back;
 * - the React shells of `/frame/v4/preauth/healthcheck` and `/frame/v4/auth/prompt`, whose only
 *   data is a JSON blob with the `xsrf_token` the page's XHR calls send as `X-Xsrftoken`;
 * - the older server-rendered `login-form` page of `/frame/prompt` (device select, one hidden
 *   `factor` per method, `preferred_device`);
 * - the newest single-page prompt, whose root element carries `data-akey`/`data-authkey`.
 *
 * Attribute values are encoded the way Duo's templates do (`/` → `&#x2f;`, space → `&#x20;`),
 * so clients must decode entities.
 *
 * @module
 */

/** Duo's attribute encoding: every character outside `[A-Za-z0-9_.-]` as `&#xHH;`. */
export function duoAttr(value: string): string {
  let out = "";
  for (const ch of value) out += /[A-Za-z0-9_.-]/.test(ch) ? ch : `&#x${ch.codePointAt(0)!.toString(16)};`;
  return out;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${duoAttr(value)}" />`;
}

const HEAD = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Duo Security</title>
<link rel="stylesheet" href="${duoAttr("/frame/static/css/v4/base.css?v=3c9b1")}">
</head>
`;

/** Inputs of {@linkcode pluginFormPage}. */
export interface PluginFormInput {
  /** The signed request (a JWT-like string). */
  tx: string;
  /** The per-session XSRF token. */
  xsrf: string;
  /** The integration key. */
  akey: string;
}

/** `/frame/frameless/v4/auth`: the form the preauth script fills in and posts to the same URL. */
export function pluginFormPage(input: PluginFormInput): string {
  const fingerprint = [
    "java_version",
    "flash_version",
    "screen_resolution_width",
    "screen_resolution_height",
    "color_depth",
    "ch_ua_error",
    "client_hints",
    "is_cef_browser",
    "is_ipad_os",
    "is_ie_compatibility_mode",
    "is_user_verifying_platform_authenticator_available",
    "user_verifying_platform_authenticator_available_error",
    "acting_ie_version",
    "react_support",
    "react_support_error_message",
  ];
  return `${HEAD}<body>
<div id="wrapper">
<form method="post" id="plugin_form">
${hidden("tx", input.tx)}
${hidden("parent", "None")}
${hidden("_xsrf", input.xsrf)}
${hidden("version", "v4")}
${hidden("akey", input.akey)}
${hidden("has_session_trust_analysis_feature", "False")}
${fingerprint.map((name) => hidden(name, "")).join("\n")}
<div id='react-test-container'></div>
</form>
</div>
<script src="${duoAttr("/frame/static/js/page/preauth.js?v=154e6")}"></script>
</body>
</html>
`;
}

/** A React shell page: an empty root and the base data the app boots from. */
export function reactShellPage(input: { sid: string; xsrf: string; page: string }): string {
  const baseData = JSON.stringify({
    page: input.page,
    sid: input.sid,
    xsrf_token: input.xsrf,
    locale: "en_US",
    static_version: "4.12.3",
  });
  return `${HEAD}<body>
<div id="root"></div>
<script type="application/json" id="base-data">${baseData}</script>
<script src="${duoAttr("/frame/static/js/v4/App.js?v=8f2d1")}"></script>
</body>
</html>
`;
}

/** Inputs of {@linkcode loginFormPage}. */
export interface LoginFormInput {
  /** The frameless session id. */
  sid: string;
  /** The per-session XSRF token. */
  xsrf: string;
  /** Enrolled phones, e.g. ["phone1", "phone2"]. */
  phones: readonly string[];
}

/** `/frame/prompt?sid=frameless-…` (2023): the server-rendered prompt with its `login-form`. */
export function loginFormPage(input: LoginFormInput): string {
  const options = input.phones.map((phone, i) =>
    `<option value="${phone}">Phone ${i + 1} &#x28;XXX-XXX-${String(i + 1).repeat(4)}&#x29;</option>`
  ).join("\n");
  const fieldsets = input.phones.map((phone) =>
    `<fieldset data-device-index="${phone}" class="hidden">
<div class="row-label push-label">${
      hidden("factor", "Duo Push")
    }<button type="submit">Send Me a Push</button></div>
<div class="row-label phone-label">${
      hidden("factor", "Phone Call")
    }<button type="submit">Call Me</button></div>
<div class="passcode-label row-label">${hidden("factor", "Passcode")}
<input type="text" name="passcode" autocomplete="off" data-index="${phone}" class="hidden passcode-input">
<button type="submit" id="passcode">Enter a Passcode</button></div>
</fieldset>`
  ).join("\n");
  return `${HEAD}<body>
<div class="base-wrapper">
<form action="/frame/prompt" method="post" id="login-form" class="inline login-form hidden">
${hidden("sid", input.sid)}
${hidden("url", "/frame/prompt")}
${hidden("enrollment_message", "")}
${hidden("itype", "okta")}
${hidden("_xsrf", input.xsrf)}
${hidden("out_of_date", "False")}
${hidden("days_out_of_date", "0")}
${hidden("preferred_factor", "Duo Push")}
${hidden("preferred_device", input.phones[0] ?? "")}
<fieldset class="device-selector"><select name="device" aria-label="Device">
${options}
</select></fieldset>
<div id="auth_methods">
${fieldsets}
${hidden("has-token", "false")}
</div>
</form>
<form class="oidc-exit-form" action="/frame/prompt/oidc/exit" method="POST">
${hidden("txid", "")}
${hidden("sid", input.sid)}
${hidden("_xsrf", input.xsrf)}
</form>
</div>
<script src="${duoAttr("/frame/static/js/page/v3/prompt.js?v=1a59b")}"></script>
</body>
</html>
`;
}

/** The newest single-page prompt: JSON endpoints keyed by an authkey instead of a sid. */
export function singlePagePromptPage(input: { akey: string; authkey: string }): string {
  return `${HEAD}<body>
<div id="app" data-akey="${input.akey}" data-authkey="${input.authkey}" data-req-trace-group="t1"></div>
<script src="${duoAttr(`/prompt/${input.akey}/static/app.js`)}"></script>
</body>
</html>
`;
}

/** A Duo error page (unknown or expired session). */
export function duoErrorPage(message: string): string {
  return `${HEAD}<body><div class="error"><h1>Something went wrong</h1><p>${message}</p></div></body></html>
`;
}
