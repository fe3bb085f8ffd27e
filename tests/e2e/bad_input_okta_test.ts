/**
 * Bad input from Okta and STS: MFA failures, pages without a SAMLResponse, broken SAML, refusals
 * and rate limits. Same checks as every catalogue case (see bad_input_support.ts).
 */

import { errorPage, samlFormPage, signInPage, stepUpPage } from "../sim/html.ts";
import { oktaRateLimitFault } from "../sim/faults.ts";
import { encodeBase64 } from "../sim/saml.ts";
import type { SimFault } from "../sim/faults.ts";
import type { World } from "./harness.ts";
import { type BadInputCase, coldOkta, defineCases, ENGINEER } from "./bad_input_support.ts";

/** The count key of the AWS app link in the simulator. */
const APP_LINK = "GET /home/amazon_aws/:app/:n";

/** An answer of the AWS app link (every time unless `times`). */
function appLinkAnswer(body: string, status = 200, times?: number): SimFault {
  return {
    match: APP_LINK,
    status,
    body,
    contentType: "text/html; charset=utf-8",
    ...(times ? { times } : {}),
  };
}

/** The SAML form page carrying `value` as its SAMLResponse. */
function samlPage(value: string): string {
  return samlFormPage({
    orgName: "Acme",
    acsUrl: "https://signin.aws.amazon.com/saml",
    samlResponse: value,
    relayState: "",
  });
}

/** Gives the user one factor of `type` whose right answer is 111111. */
function codeFactor(world: World, factorType: "sms" | "token:software:totp"): void {
  coldOkta(world);
  world.sim.state.users[0]!.factors = [{
    id: factorType === "sms" ? "mbl1smsAAAAAAAAAAAA1" : "ost1totpAAAAAAAAAAA1",
    factorType,
    provider: factorType === "sms" ? "OKTA" : "GOOGLE",
    code: "111111",
    ...(factorType === "sms" ? { profile: { phoneNumber: "+1 XXX-XXX-0042" } } : {}),
  }];
}

const CASES: BadInputCase[] = [
  {
    name: "wrong SMS code three times",
    setup: (w) => codeFactor(w, "sms"),
    args: ["cred-process", "dev"],
    stdin: "000000\n222222\n333333\n",
    code: 1,
    message: /Okta rejected the .*3 times/,
  },
  {
    name: "too many wrong MFA codes lock the account (E0000069)",
    setup: (w) => {
      codeFactor(w, "token:software:totp");
      w.sim.state.settings.maxFactorFailures = 2;
    },
    args: ["cred-process", "dev"],
    stdin: "000000\n222222\n333333\n",
    code: 1,
    message: /Okta locked the account after too many MFA failures/,
  },
  {
    name: "MFA enrollment required",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.users[0]!.status = "MFA_ENROLL";
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /Okta requires enrolling an MFA factor first/,
  },
  {
    name: "Okta's rate limit on the password login",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.faults.push(oktaRateLimitFault("POST /api/v1/authn"));
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /Okta's rate limit was exceeded for "\/api\/v1\/authn"; try again in \d+ s/,
  },
  {
    name: "Okta's authn answers 200 without JSON",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.faults.push({ match: "POST /api/v1/authn", status: 200, body: "<html>portal</html>" });
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /Okta answered POST "\/api\/v1\/authn" with HTTP 200 but no JSON/,
  },
  {
    name: "sign-in page after a fresh password login",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.faults.push(appLinkAnswer(signInPage({ orgName: "Acme", fromUri: "/" })));
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /Okta answered the AWS app link with its sign-in page; check aws_saml_url/,
  },
  {
    name: "step-up page whose transaction Okta no longer knows",
    setup: (w) => {
      const page = stepUpPage({
        orgName: "Acme",
        stateToken: "00staleStateTokenXXXXXXXXXXXXXXXXXXXXXXXX",
        fromUri: "/home/amazon_aws/0oa1abcdEFGH2345/272",
        appLabel: "AWS Production",
      });
      w.sim.state.faults.push(appLinkAnswer(page, 200, 1));
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /transaction expired/,
  },
  {
    name: "Okta error page (HTTP 500) on the app link",
    setup: (w) => {
      w.sim.state.faults.push(
        appLinkAnswer(errorPage({ orgName: "Acme", title: "500 - Error", message: "Something broke" }), 500),
      );
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /Okta answered the AWS app link ".*" with HTTP 500; Okta is failing/,
  },
  {
    name: "SAMLResponse that is not base64",
    setup: (w) => {
      w.sim.state.faults.push(appLinkAnswer(samlPage("PHNhbWxwOlJlc3BvbnNl!!notbase64")));
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /Okta's SAML response is not valid base64: unexpected character at position 21/,
  },
  {
    name: "SAMLResponse with broken XML",
    setup: (w) => {
      const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml2:Assertion>`;
      w.sim.state.faults.push(appLinkAnswer(samlPage(encodeBase64(new TextEncoder().encode(xml)))));
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /Okta's SAML response is not valid XML: element ".*" is not closed/,
  },
  {
    name: "SAMLResponse whose XML is not a SAML Response",
    setup: (w) => {
      const xml = `<html><body>maintenance</body></html>`;
      w.sim.state.faults.push(appLinkAnswer(samlPage(encodeBase64(new TextEncoder().encode(xml)))));
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /the root element is "html", not a SAML "Response"/,
  },
  {
    name: "a session longer than STS allows (12h) is refused before the login",
    args: ["cred-process", "--refresh", "-t", "48h", "dev"],
    code: 2,
    message: /invalid duration "48h" for --session-ttl: use a length from 15m to 12h/,
  },
  {
    name: "STS ValidationError (session longer than the role's MaxSessionDuration)",
    setup: (w) => {
      w.sim.state.roles[ENGINEER] = { maxSessionDuration: 3600 };
    },
    args: ["cred-process", "--refresh", "-t", "2h", "dev"],
    code: 1,
    message:
      /AWS rejected AssumeRoleWithSAML for ".*Engineer": .*MaxSessionDuration.*; lower -t\/--session-ttl, or raise the role's maximum session duration in IAM/,
  },
  {
    name: "STS 500 InternalFailure that does not stop",
    setup: (w) => {
      w.sim.state.faults.push({
        match: "sts:AssumeRoleWithSAML",
        status: 500,
        contentType: "text/xml",
        body:
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Receiver</Type>` +
          `<Code>InternalFailure</Code><Message>internal failure</Message></Error>` +
          `<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`,
      });
    },
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /AWS STS failed with HTTP 500 \(InternalFailure\) for AssumeRoleWithSAML.*try again shortly/,
  },
  {
    name: "STS answers 200 with a proxy's HTML page",
    setup: (w) => {
      w.sim.state.faults.push({
        match: "sts:AssumeRoleWithSAML",
        status: 200,
        contentType: "text/html",
        body: "<html><body>Welcome to the captive portal</body></html>",
      });
    },
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /STS answered HTTP 200 with a non-AWS body to AssumeRoleWithSAML.*a proxy or firewall/,
  },
];

defineCases(CASES);
