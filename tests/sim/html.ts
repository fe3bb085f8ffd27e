/**
 * The HTML pages Okta serves around the AWS app (SAML form, sign-in widget, MFA step-up, error
 * pages) and the two encoders Okta uses in them. The pages carry realistic noise (head, styles,
 * scripts, a noscript fallback) so clients that scrape them are tested against more than a bare form.
 *
 * @module
 */

/**
 * Okta's HTML attribute encoding: every character outside `[A-Za-z0-9,._-]` becomes `&#xHH;`
 * (lowercase hex), including `+`, `/` and `=` in base64 text.
 */
export function attrEncode(value: string): string {
  let out = "";
  for (const ch of value) {
    out += /[A-Za-z0-9,._-]/.test(ch) ? ch : `&#x${ch.codePointAt(0)!.toString(16)};`;
  }
  return out;
}

/** Okta's JavaScript string encoding: every character outside `[A-Za-z0-9,._]` becomes `\xHH` (uppercase). */
export function jsEscape(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (/[A-Za-z0-9,._]/.test(ch)) out += ch;
    else if (code < 0x100) out += `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}

/** Plain HTML text escaping for page text. */
export function textEscape(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function head(title: string): string {
  return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
    <meta name="robots" content="none" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>${textEscape(title)}</title>
    <link href="/assets/css/sections/enduser/app.css" rel="stylesheet" type="text/css" />
    <script type="text/javascript">
        var okta = { locale: 'en', deployEnv: 'PROD', isPreview: false };
        window.okta = okta;
    </script>
    <script src="/assets/js/mvc/loginpage/initLoginPage.pack.js" type="text/javascript" defer="defer"></script>
</head>
`;
}

/** Inputs of {@linkcode samlFormPage}. */
export interface SamlFormPageInput {
  /** Org name for the title. */
  orgName: string;
  /** The ACS URL the form posts to. */
  acsUrl: string;
  /** Base64 SAML Response. */
  samlResponse: string;
  /** RelayState (empty for AWS). */
  relayState: string;
}

/** The auto-submitting SAML form page of §1.6: the only page that holds `SAMLResponse`. */
export function samlFormPage(input: SamlFormPageInput): string {
  return `${head(`${input.orgName} - Signing in...`)}<body id="app" class="enduser-app  ">
<div class="content">
    <div class="beacon-loading" aria-live="polite">Signing in to Amazon Web Services...</div>
</div>
<form id="appForm" action="${attrEncode(input.acsUrl)}" method="POST">
    <input name="SAMLResponse" type="hidden" value="${attrEncode(input.samlResponse)}"/>
    <input name="RelayState" type="hidden" value="${attrEncode(input.relayState)}"/>
    <noscript><input type="submit" value="Continue"/></noscript>
</form>
<script type="text/javascript">
    (function () {
        var form = document.getElementById('appForm');
        if (form) { form.submit(); }
    })();
</script>
</body>
</html>
`;
}

/** Inputs of {@linkcode signInPage}. */
export interface SignInPageInput {
  /** Org name. */
  orgName: string;
  /** Where the widget sends the user after sign-in (path). */
  fromUri: string;
}

/** The Okta sign-in widget page: what an unauthenticated user gets. No SAMLResponse, no stateToken. */
export function signInPage(input: SignInPageInput): string {
  return `${head(`${input.orgName} - Sign In`)}<body class="auth okta-container">
<div id="okta-sign-in" class="auth-container main-container"></div>
<noscript><div id="noscript-msg">JavaScript is required to sign in.</div></noscript>
<script type="text/javascript">
    var signInWidgetOptions = {
        baseUrl: '',
        fromUri: '${jsEscape(input.fromUri)}',
        features: { rememberMe: true, multiOptionalFactorEnroll: false },
        i18n: { en: { 'primaryauth.title': '${jsEscape(`Sign In to ${input.orgName}`)}' } }
    };
    if (window.OktaSignIn) { new OktaSignIn(signInWidgetOptions).renderEl({ el: '#okta-sign-in' }); }
</script>
</body>
</html>
`;
}

/** Inputs of {@linkcode stepUpPage}. */
export interface StepUpPageInput {
  /** Org name. */
  orgName: string;
  /** The step-up transaction's stateToken. */
  stateToken: string;
  /** The app link to return to. */
  fromUri: string;
  /** App label. */
  appLabel: string;
}

/** The MFA step-up page: sign-in widget whose script holds the JS-escaped `var stateToken`. */
export function stepUpPage(input: StepUpPageInput): string {
  return `${head(`${input.orgName} - Extra Verification`)}<body class="auth okta-container">
<div id="okta-sign-in" class="auth-container main-container"></div>
<script type="text/javascript">
    var repost = false;
    var stateToken = '${jsEscape(input.stateToken)}';
    var fromUri = '${jsEscape(input.fromUri)}';
    var appLabel = '${jsEscape(input.appLabel)}';
    var signInWidgetOptions = {
        baseUrl: '',
        stateToken: stateToken,
        features: { rememberMe: true },
        authParams: { display: 'page' }
    };
    if (window.OktaSignIn) { new OktaSignIn(signInWidgetOptions).renderEl({ el: '#okta-sign-in' }); }
</script>
</body>
</html>
`;
}

/** Inputs of {@linkcode errorPage}. */
export interface ErrorPageInput {
  /** Org name. */
  orgName: string;
  /** Heading. */
  title: string;
  /** Explanation. */
  message: string;
}

/** An Okta HTML error page (403 app not assigned, 404 unknown app, bad redirect). */
export function errorPage(input: ErrorPageInput): string {
  return `${head(`${input.orgName} - ${input.title}`)}<body class="error-page">
<div id="error-container" class="error-content">
    <h1 class="error-title">${textEscape(input.title)}</h1>
    <p class="error-message">${textEscape(input.message)}</p>
    <a href="/" class="button">Go to Homepage</a>
</div>
</body>
</html>
`;
}
