import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Browser, Page } from "@playwright/test";
import { E2E_BASE_URL } from "../../playwright.config";
import { awaitingStreamedParts, expect, shot, signIn, test, withSmtpReceiver } from "../helpers/e2e";
import { mailText } from "../helpers/receivers";
import { Session, signUpWithKey } from "../helpers/session";

/**
 * Single sign-on through the browser, against identity providers the test runs: panva's
 * oidc-provider (its own login and consent pages) and a SAML IdP whose assertions xml-crypto signs.
 * An owner configures each in Settings, tests it, enforces it; a colleague then signs in with "Use
 * single sign-on (SSO)" and joins with the role of their group; a password in the domain is refused,
 * the owner's is not; an address outside the domains is refused.
 */
const run = Date.now().toString(36);
const PASSWORD = "correct horse battery";
const CLIENT = { client_id: "tokenist-e2e", client_secret: "e2e-client-secret" };
const OIDC_DOMAIN = `oidc-${run}.test`;
const SAML_DOMAIN = `saml-${run}.test`;

const mail = withSmtpReceiver();
const idps: ChildProcess[] = [];
let oidc: { issuer: string };
let saml: { ssoUrl: string; metadataUrl: string; metadataXml: string };

/**
 * Start a test IdP in its own process (its CLI mode: Playwright compiles specs to CommonJS, and the
 * IdPs are plain ES modules) and read the one JSON line it prints once listening.
 */
async function startIdp<T>(script: string, args: string[]): Promise<T> {
  const child = spawn(process.execPath, [`tests/helpers/idp/${script}`, "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  idps.push(child);
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) if (line.startsWith("{")) return JSON.parse(line) as T;
  throw new Error(`${script} exited before it listened`);
}

test.beforeAll(async () => {
  // The IdP's directory: ada is in the group the workspace maps to admin.
  oidc = await startIdp("oidc-idp.mjs", [
    "--client",
    `${CLIENT.client_id}:${CLIENT.client_secret}:${E2E_BASE_URL}/api/sso/oidc/callback`,
    "--account",
    `ada@${OIDC_DOMAIN}:groups=tokenist-admins:name=Ada`,
  ]);
  const started = await startIdp<{ ssoUrl: string; metadataUrl: string }>("saml-idp.mjs", []);
  saml = { ...started, metadataXml: await (await fetch(started.metadataUrl)).text() };
});
test.afterAll(() => {
  for (const child of idps) child.kill();
});

/** An owner with a verified address at `domain`, on Enterprise (billing is off here: set by hand). */
async function enterpriseOwner(baseURL: string, domain: string) {
  const email = `owner@${domain}`;
  const { session, workspaceId } = await signUpWithKey(baseURL, email);
  await expect.poll(() => mail.smtp!.messages.some((m) => m.to.includes(email))).toBe(true);
  const token = /verify-email\?token=([A-Za-z0-9_-]{43})/.exec(mailText(mail.smtp!.messages.find((m) => m.to.includes(email))!))![1];
  expect((await session.fetch(`/verify-email?token=${token}`)).status).toBe(200);
  const plan = await session.trpc("billing.setPlan", { workspaceId, plan: "enterprise" });
  expect(plan.status, JSON.stringify(plan.error)).toBe(200);
  return { email, session, workspaceId };
}

/** "Use single sign-on (SSO)" on the sign-in page, as a colleague does. */
async function continueWithSso(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Use single sign-on (SSO)" }).click();
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Continue with SSO" }).click();
}

/** oidc-provider's development pages: any login name (the account), any password, then consent. */
async function oidcLogin(page: Page, login: string) {
  await page.waitForURL(`${oidc.issuer}/**`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

/** The SAML IdP's page: e-mail and groups, then its form posts the signed answer to our ACS. */
async function samlLogin(page: Page, email: string, groups: string) {
  await page.waitForURL(`${saml.ssoUrl}**`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Groups").fill(groups);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Settings' single sign-on card, in the page's main region (see awaitingStreamedParts). */
const ssoCard = (page: Page) => page.getByRole("main").locator("#sso");

/** A browser with no cookies of ours or the IdP's: a colleague on their own machine. */
async function freshPage(browser: Browser) {
  const context = await browser.newContext({ baseURL: E2E_BASE_URL });
  return awaitingStreamedParts(await context.newPage());
}

test("OpenID Connect: configure, test, enforce; a colleague joins as their group's role; refusals", async ({ page, browser, baseURL }) => {
  test.setTimeout(240_000);
  const domain = OIDC_DOMAIN;
  const owner = await enterpriseOwner(baseURL!, domain);
  // A colleague who signed up with a password before SSO was enforced (their own workspace).
  const pat = `pat@${domain}`;
  expect((await new Session(baseURL!).trpc("auth.signUp", { email: pat, password: PASSWORD })).status).toBe(200);

  await test.step("the owner configures OpenID Connect in Settings", async () => {
    await signIn(page, owner.email, PASSWORD);
    await page.goto(`/w/${owner.workspaceId}/settings#sso`);
    const card = ssoCard(page);
    await expect(card.getByText("Not configured")).toBeVisible();
    await expect(card.getByText(`${E2E_BASE_URL}/api/sso/oidc/callback`)).toBeVisible();
    await card.getByLabel("E-mail domains").fill(domain);
    await card.getByLabel("Issuer URL").fill(oidc.issuer);
    await card.getByLabel("Client ID").fill(CLIENT.client_id);
    await card.getByLabel("Client secret").fill(CLIENT.client_secret);
    await card.getByLabel("Group → role mapping").fill("tokenist-admins = admin");
    await card.getByRole("button", { name: "Save", exact: true }).click();
    await expect(card.getByText("Saved.")).toBeVisible();
    await expect(card.getByText("Not enforced")).toBeVisible();
    await expect(card.getByRole("switch", { name: "Enforce single sign-on" })).toBeDisabled(); // not tested yet
    await shot(page, "sso-oidc-1-configured");
  });

  await test.step("a test sign-in through the identity provider, then enforcement", async () => {
    await page.getByRole("button", { name: "Test sign-in" }).click();
    await oidcLogin(page, `tester@${domain}`);
    await page.waitForURL(`**/w/${owner.workspaceId}/settings?sso=tested#sso`);
    const test = page.getByTestId("sso-test");
    await expect(test).toContainText(`tester@${domain} with groups (none) would join as viewer`);
    await page.getByRole("switch", { name: "Enforce single sign-on" }).click();
    await expect(ssoCard(page).getByText("Enforced", { exact: true })).toBeVisible();
    await shot(page, "sso-oidc-2-tested-enforced");
  });

  await test.step("a colleague continues with SSO and joins as an admin (their group)", async () => {
    const colleague = await freshPage(browser);
    await continueWithSso(colleague, `ada@${domain}`);
    // The IdP knows ada by the login she types; her groups come from its account store.
    await oidcLogin(colleague, `ada@${domain}`);
    await colleague.waitForURL(`**/w/${owner.workspaceId}`);
    await expect(colleague.locator("aside").getByText("admin", { exact: true })).toBeVisible();
    await shot(colleague, "sso-oidc-3-colleague-admin");
    await colleague.context().close();
  });

  await test.step("passwords in the domain are refused; the owner's break-glass is not", async () => {
    const other = await freshPage(browser);
    await other.goto("/sign-in");
    await other.getByLabel("E-mail").fill(pat);
    await other.getByLabel("Password").fill(PASSWORD);
    await other.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(other.locator("p[role=alert]")).toHaveText(
      `${domain} signs in with single sign-on: choose "Use single sign-on (SSO)" on the sign-in page`,
    );
    await shot(other, "sso-oidc-4-password-refused");
    await signIn(other, owner.email, PASSWORD);
    await other.context().close();
  });

  await test.step("an address outside the domains is refused, and nobody joins", async () => {
    const intruder = await freshPage(browser);
    await continueWithSso(intruder, `eve@${domain}`);
    await oidcLogin(intruder, "eve@elsewhere.test");
    await intruder.waitForURL("**/sso/complete?refused=*");
    await expect(intruder.locator("p[role=alert]")).toHaveText(`eve@elsewhere.test is outside this workspace's SSO domains (${domain})`);
    await shot(intruder, "sso-oidc-5-outside-domains-refused");
    await intruder.context().close();
    const members = await owner.session.trpc("members.list", { workspaceId: owner.workspaceId }, "query");
    expect((members.data as Array<{ email: string }>).map((m) => m.email).sort()).toEqual([`ada@${domain}`, owner.email].sort());
  });
});

test("SAML 2.0: metadata pasted, tested, enforced; a colleague joins with their group's role; a bad answer is refused", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const domain = SAML_DOMAIN;
  const owner = await enterpriseOwner(baseURL!, domain);

  await test.step("the owner pastes the IdP's metadata", async () => {
    await signIn(page, owner.email, PASSWORD);
    await page.goto(`/w/${owner.workspaceId}/settings#sso`);
    const card = ssoCard(page);
    await card.getByLabel("Protocol").selectOption("saml");
    await card.getByLabel("E-mail domains").fill(domain);
    await card.getByLabel("IdP metadata XML").fill(saml.metadataXml);
    await card.getByLabel("Default role").selectOption("viewer");
    await card.getByLabel("Group → role mapping").fill("eng = developer\nops-admins = admin");
    await card.getByRole("button", { name: "Save", exact: true }).click();
    await expect(card.getByText("Saved.")).toBeVisible();
    await expect(card.getByText(`${E2E_BASE_URL}/api/sso/saml/acs`)).toBeVisible();
    await shot(page, "sso-saml-1-configured");
  });

  await test.step("test sign-in at the IdP, then enforce", async () => {
    await page.getByRole("button", { name: "Test sign-in" }).click();
    await samlLogin(page, `tester@${domain}`, "eng");
    await page.waitForURL(`**/w/${owner.workspaceId}/settings?sso=tested#sso`);
    await expect(page.getByTestId("sso-test")).toContainText(`tester@${domain} with groups eng would join as developer`);
    await page.getByRole("switch", { name: "Enforce single sign-on" }).click();
    await expect(ssoCard(page).getByText("Enforced", { exact: true })).toBeVisible();
    await shot(page, "sso-saml-2-tested-enforced");
  });

  await test.step("Enterprise's other setting: the workspace's own retention", async () => {
    const days = page.getByLabel("Retention in days");
    await expect(days).toHaveValue("365");
    await days.fill("400");
    await days.locator("xpath=..").getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("this workspace's own.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Use the plan's" })).toBeVisible();
  });

  await test.step("a colleague in the eng group joins as a developer", async () => {
    const colleague = await freshPage(browser);
    await continueWithSso(colleague, `grace@${domain}`);
    await samlLogin(colleague, `grace@${domain}`, "eng");
    await colleague.waitForURL(`**/w/${owner.workspaceId}`);
    await expect(colleague.locator("aside").getByText("developer", { exact: true })).toBeVisible();
    await shot(colleague, "sso-saml-3-colleague-developer");
    await colleague.context().close();
  });

  await test.step("an address outside the domains, signed by the IdP, is refused", async () => {
    const intruder = await freshPage(browser);
    await continueWithSso(intruder, `mallory@${domain}`);
    await samlLogin(intruder, "mallory@elsewhere.test", "ops-admins");
    await intruder.waitForURL("**/sso/complete?refused=*");
    await expect(intruder.locator("p[role=alert]")).toContainText("mallory@elsewhere.test is outside this workspace's SSO domains");
    await shot(intruder, "sso-saml-4-refused");
    await intruder.context().close();
  });
});
