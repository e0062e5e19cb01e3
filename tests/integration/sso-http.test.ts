import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type RunningApp, startApp } from "../helpers/app-server";
import { TEST_DRIVERS } from "../helpers/db";
import { startSamlIdp } from "../helpers/idp/saml-idp.mjs";
import { Session, signUpWithKey } from "../helpers/session";

type Idp = Awaited<ReturnType<typeof startSamlIdp>>;

/**
 * SAML single sign-on over real HTTP, against a local IdP whose assertions xml-crypto signs: the
 * configuration's refusals, one sign-in from start to session (just-in-time membership, the group's
 * role), every refusal of a bad answer (audience, expiry, no signature, the wrong key, the wrong
 * issuer, an address outside the domains, a replay, another browser's ticket), and enforcement with
 * the owners' break-glass; and Enterprise's other setting, its own retention. The browser walks (OIDC and SAML, through the IdPs' pages) are in
 * tests/e2e/sso.spec.ts.
 */
describe.each(TEST_DRIVERS)("SAML single sign-on over HTTP (%s)", (driver) => {
  let app: RunningApp;
  let idp: Idp;
  let sp: { entityId: string; acsUrl: string };
  let owner: Session;
  let workspaceId: string;

  /** Start a sign-in as a browser would: the IdP redirect (its AuthnRequest id and our RelayState) and the binding cookie. */
  async function start(browser: Session, body: Record<string, unknown>) {
    const res = await browser.fetch("/api/sso/start", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    expect(res.status, JSON.stringify(answer)).toBe(200);
    const url = new URL(answer.url);
    expect(url.origin + url.pathname).toBe(idp.ssoUrl);
    const request = inflateRawSync(Buffer.from(url.searchParams.get("SAMLRequest")!, "base64")).toString("utf8");
    return { requestId: /\sID="([^"]+)"/.exec(request)![1]!, relayState: url.searchParams.get("RelayState")! };
  }

  /** POST the IdP's answer to the ACS as the browser's auto-submitting form does. */
  async function post(browser: Session, samlResponse: string, relayState: string) {
    const res = await browser.fetch("/api/sso/saml/acs", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }),
    });
    expect(res.status).toBe(303);
    return new URL(res.headers.get("location")!);
  }

  /** The completion page's last step: the one-time ticket through next-auth's `sso` provider. */
  async function spendTicket(browser: Session, ticket: string) {
    const { csrfToken } = await (await browser.fetch("/api/auth/csrf")).json();
    await browser.fetch("/api/auth/callback/sso", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, ticket, json: "true" }),
    });
    return (await (await browser.fetch("/api/auth/session")).json()) as { memberId?: string };
  }

  /** A whole sign-in for `email` with `groups`; the answer may be altered (`opts`). */
  async function signInBySso(browser: Session, email: string, opts: Record<string, unknown> = {}) {
    const { requestId, relayState } = await start(browser, { email });
    const answer = idp.buildResponse({ acsUrl: sp.acsUrl, audience: sp.entityId, inResponseTo: requestId, email, ...opts });
    return { landed: await post(browser, answer, relayState), answer, relayState };
  }

  const members = async () => (await callApi(app, "/api/v1/members")).body.data as Array<{ email: string; role: string }>;

  /** The completion page names the refusal (read from the sign-in's row, not from the URL). */
  async function refusalText(browser: Session, landed: URL) {
    expect(landed.pathname).toBe("/sso/complete");
    expect(landed.searchParams.get("refused")).toMatch(/^ssr_/);
    const html = await (await browser.fetch(`${landed.pathname}${landed.search}`)).text();
    return html
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&amp;/g, "&");
  }

  beforeAll(async () => {
    idp = await startSamlIdp();
    app = await startApp({ driver, publicUrl: true, env: { TOKENIST_INIT_PLAN: "enterprise", TOKENIST_SSO_ALLOW_INSECURE: "1" } });
    owner = await new Session(app.baseUrl).signIn(app.email, app.password);
    workspaceId = (await callApi(app, "/api/v1/workspace")).body.id;
  }, 120_000);
  afterAll(async () => {
    await app?.dispose();
    await idp?.close();
  });

  it("refuses configurations that would not be safe, and saves the one that is", async () => {
    const base = {
      protocol: "saml",
      metadataXml: idp.metadataXml,
      domains: ["example.com"],
      roleMapping: { eng: "developer", admins: "admin" },
    };
    const put = (body: unknown) => callApi(app, "/api/v1/sso", { method: "PUT", body });
    expect((await callApi(app, "/api/v1/sso")).status).toBe(404);

    const notProven = await put({ ...base, domains: ["acme.com"] });
    expect(notProven.status).toBe(400);
    expect(notProven.body.error.message).toContain(
      "acme.com — a domain is claimed by an owner of this workspace whose verified e-mail address is at it",
    );
    expect((await put({ ...base, domains: ["gmail.com"] })).body.error.message).toContain("gmail.com is a public mail provider");
    const untested = await put({ ...base, enforced: true });
    expect(untested.status).toBe(409);
    expect(untested.body.error.message).toContain("Test the sign-in before enforcing it");
    expect((await put({ ...base, metadataXml: "<not-metadata/>" })).body.error.message).toContain("no EntityDescriptor");
    expect((await put({ ...base, roleMapping: { eng: "owner" } })).status).toBe(400); // SSO never makes owners
    expect((await put({ ...base, issuer: "https://idp.example.com" })).status).toBe(400); // an OIDC field on SAML
    expect((await callApi(app, "/api/v1/sso")).status).toBe(404); // none of those saved anything

    const saved = await put(base);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({
      protocol: "saml",
      idpEntityId: idp.entityId,
      idpSsoUrl: idp.ssoUrl,
      domains: ["example.com"],
      enforced: false,
    });
    expect(saved.body.testedAt).toBeNull();
    sp = saved.body.serviceProvider;
    expect(sp.acsUrl).toBe(`${app.baseUrl}/api/sso/saml/acs`);
    const metadata = await fetch(sp.entityId);
    expect(await metadata.text()).toContain(`Location="${sp.acsUrl}"`);

    // A workspace below Enterprise cannot configure SSO…
    const free = await signUpWithKey(app.baseUrl, "frank@example.org", ["sdk", "read", "write", "admin"]);
    const below = await callApi({ baseUrl: app.baseUrl, apiKey: free.apiKey }, "/api/v1/sso", {
      method: "PUT",
      body: { ...base, domains: ["example.org"] },
    });
    expect(below.status).toBe(403);
    expect(below.body.error.message).toContain("Single sign-on needs the Enterprise plan or above");
    // …a form post from another site cannot start a sign-in (no binding cookie planted: login CSRF)…
    const form = await new Session(app.baseUrl).fetch("/api/sso/start", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ email: "alice@example.com" }),
    });
    expect(form.status).toBe(400);
    expect(form.headers.get("set-cookie")).toBeNull();
    // …and an address with no SSO cannot start one.
    const stranger = new Session(app.baseUrl);
    const res = await stranger.fetch("/api/sso/start", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email":"x@nowhere.test"}',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe(
      "No single sign-on is set up for nowhere.test: sign in with your password or a provider instead",
    );
  });

  it("Enterprise's own retention through PATCH /api/v1/workspace; below Enterprise a 403", async () => {
    const set = await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { retentionDays: 400 } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ plan: "enterprise", retentionDays: 400, customRetention: true });
    expect((await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { retentionDays: 0 } })).status).toBe(400);
    const back = await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { retentionDays: null } });
    expect(back.body).toMatchObject({ retentionDays: 365, customRetention: false });
    const audit = (await callApi(app, "/api/v1/audit-logs?action=workspace.settings")).body.data as Array<{
      data: Record<string, unknown>;
    }>;
    expect(audit.map((a) => a.data.retentionDays)).toEqual(expect.arrayContaining([400, null]));

    const free = await signUpWithKey(app.baseUrl, "gina@example.net", ["sdk", "read", "write", "admin"]);
    const below = await callApi({ baseUrl: app.baseUrl, apiKey: free.apiKey }, "/api/v1/workspace", {
      method: "PATCH",
      body: { retentionDays: 400 },
    });
    expect(below.status).toBe(403);
    expect(below.body.error.message).toContain("Custom retention needs the Enterprise plan or above (this workspace is on Free)");
  });

  it("signs a newcomer in: just-in-time membership with the mapped role, one session, no replay", async () => {
    const browser = new Session(app.baseUrl);
    const { landed, answer, relayState } = await signInBySso(browser, "alice@example.com", { groups: ["eng", "admins"] });
    expect(landed.pathname).toBe("/sso/complete");
    expect(landed.searchParams.get("workspace")).toBe(workspaceId);
    const ticket = landed.searchParams.get("ticket")!;

    // The ticket is worth nothing in another browser (no binding cookie)…
    expect((await spendTicket(new Session(app.baseUrl), ticket)).memberId).toBeUndefined();
    // …and signs this one in, once.
    const session = await spendTicket(browser, ticket);
    expect(session.memberId).toMatch(/^mem_/);
    expect((await spendTicket(new Session(app.baseUrl), ticket)).memberId).toBeUndefined();
    expect((await members()).find((m) => m.email === "alice@example.com")?.role).toBe("admin"); // admins → admin beats eng → developer
    const settings = await browser.trpc("settings.get", { workspaceId }, "query");
    expect(settings.data.role).toBe("admin");

    // The same SAMLResponse again: its request is spent.
    const replay = await post(new Session(app.baseUrl), answer, relayState);
    expect(replay.searchParams.get("refused")).toBe("expired");

    // A later sign-in follows the groups (eng only → developer); the audit log has both.
    const again = await signInBySso(browser, "alice@example.com", { groups: ["eng"] });
    await spendTicket(browser, again.landed.searchParams.get("ticket")!);
    expect((await members()).find((m) => m.email === "alice@example.com")?.role).toBe("developer");
    const audit = (await callApi(app, "/api/v1/audit-logs?action=member.*")).body.data as Array<{ action: string }>;
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["member.sso_join", "member.role"]));
  });

  it.each([
    ["the wrong audience", { audience: "https://someone-else.example/sp" }, "audience mismatch"],
    // Its subject confirmation lapses with it: node-saml names that first.
    [
      "an expired assertion",
      { notBefore: Date.now() - 3_600_000, notOnOrAfter: Date.now() - 1_800_000 },
      "No valid subject confirmation found",
    ],
    ["an assertion not yet valid", { notBefore: Date.now() + 1_800_000 }, "SAML assertion not yet valid"],
    ["an unsigned assertion", { sign: "none" }, "Invalid signature"],
    ["only the envelope signed", { sign: "response" }, "Invalid signature"],
    ["a signature by another key", { key: "other" }, "Invalid signature"],
    [
      "another issuer",
      { issuer: "https://evil.example/idp" },
      "was issued by https://evil.example/idp, not by this workspace's identity provider",
    ],
    [
      "a failure status around a signed assertion",
      { status: "urn:oasis:names:tc:SAML:2.0:status:Responder", includeAssertion: true },
      "answered urn:oasis:names:tc:SAML:2.0:status:Responder",
    ],
    ["another ACS as destination", { destination: "https://elsewhere.example/acs" }, "was addressed to https://elsewhere.example/acs"],
  ])("refuses %s, and nobody joins", async (_, alteration, message) => {
    const browser = new Session(app.baseUrl);
    const email = `mallory-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const { landed } = await signInBySso(browser, email, alteration);
    const text = await refusalText(browser, landed);
    expect(text, /role="alert"[^>]*>([^<]*)/.exec(text)?.[1]).toContain(message);
    expect((await members()).some((m) => m.email === email)).toBe(false);
  });

  it("refuses an address outside the workspace's domains, even when the IdP signs it", async () => {
    const browser = new Session(app.baseUrl);
    const { requestId, relayState } = await start(browser, { email: "bob@example.com" });
    const answer = idp.buildResponse({ acsUrl: sp.acsUrl, audience: sp.entityId, inResponseTo: requestId, email: "bob@other.test" });
    const text = await refusalText(browser, await post(browser, answer, relayState));
    expect(text).toContain("bob@other.test is outside this workspace's SSO domains (example.com)");
    expect((await members()).some((m) => m.email === "bob@other.test")).toBe(false);
  });

  it("an answer to another sign-in's request is refused (InResponseTo)", async () => {
    const browser = new Session(app.baseUrl);
    const first = await start(browser, { email: "carol@example.com" });
    const second = await start(browser, { email: "carol@example.com" });
    const answer = idp.buildResponse({
      acsUrl: sp.acsUrl,
      audience: sp.entityId,
      inResponseTo: first.requestId,
      email: "carol@example.com",
    });
    expect(await refusalText(browser, await post(browser, answer, second.relayState))).toContain("InResponseTo");
  });

  it("tests, then enforces: passwords refused in the domain, the owner's break-glass kept", async () => {
    // A member of the domain with a password, from before enforcement (their own workspace).
    const dave = new Session(app.baseUrl);
    expect((await dave.trpc("auth.signUp", { email: "dave@example.com", password: "correct horse battery" })).status).toBe(200);
    await dave.signIn("dave@example.com", "correct horse battery");
    const session = async (s: Session) => ((await (await s.fetch("/api/auth/session")).json()) as { memberId?: string }).memberId;
    expect(await session(dave)).toMatch(/^mem_/);

    // The owner's test sign-in: recorded on the configuration, no membership, no session change.
    const test = await start(owner, { test: true, workspaceId });
    const answer = idp.buildResponse({
      acsUrl: sp.acsUrl,
      audience: sp.entityId,
      inResponseTo: test.requestId,
      email: "tester@example.com",
      groups: ["eng"],
    });
    const landed = await post(owner, answer, test.relayState);
    expect(landed.pathname).toBe(`/w/${workspaceId}/settings`);
    const sso = (await callApi(app, "/api/v1/sso")).body;
    expect(sso.lastTest).toMatchObject({ ok: true, email: "tester@example.com", groups: ["eng"], role: "developer" });
    expect(sso.testedAt).not.toBeNull();
    expect((await members()).some((m) => m.email === "tester@example.com")).toBe(false);

    // Signed out, there is no test to start.
    const signedOut = await new Session(app.baseUrl).fetch("/api/sso/start", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ test: true, workspaceId }),
    });
    expect(signedOut.status).toBe(401);

    const config = { metadataXml: sso.metadataXml as string, domains: sso.domains as string[], roleMapping: sso.roleMapping };
    const enforce = await callApi(app, "/api/v1/sso", {
      method: "PUT",
      body: { protocol: "saml", metadataXml: config.metadataXml, domains: config.domains, roleMapping: config.roleMapping, enforced: true },
    });
    expect(enforce.status, JSON.stringify(enforce.body)).toBe(200);
    expect(enforce.body.enforced).toBe(true);
    // Enforcement ends the domain's open sessions (dave's password one), not the owner's.
    expect(await session(dave)).toBeUndefined();
    expect(await session(owner)).toMatch(/^mem_/);
    const enforcedAudit = (await callApi(app, "/api/v1/audit-logs?action=sso.update")).body.data as Array<{
      data: Record<string, unknown>;
    }>;
    expect(enforcedAudit[0]!.data).toMatchObject({ enforced: true, wasEnforced: false });
    expect(enforcedAudit[0]!.data.sessionsEnded).toBeGreaterThanOrEqual(1);

    // Dave's password is refused with the way in named; a new password account in the domain too.
    await expect(new Session(app.baseUrl).signIn("dave@example.com", "correct horse battery")).rejects.toThrow("sign-in failed");
    const { csrfToken } = await (await dave.fetch("/api/auth/csrf")).json();
    const refused = await dave.fetch("/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, email: "dave@example.com", password: "correct horse battery", json: "true" }),
    });
    expect(new URL((await refused.json()).url).searchParams.get("error")).toBe(
      'example.com signs in with single sign-on: choose "Use single sign-on (SSO)" on the sign-in page',
    );
    const signUp = await new Session(app.baseUrl).trpc("auth.signUp", { email: "erin@example.com", password: "correct horse battery" });
    expect(signUp.status).toBe(403);
    expect(signUp.error.message).toContain("example.com signs in with single sign-on");

    // The owner keeps the password way in; SSO still signs members in.
    await expect(new Session(app.baseUrl).signIn(app.email, app.password)).resolves.toBeInstanceOf(Session);
    const browser = new Session(app.baseUrl);
    const { landed: ssoLanded } = await signInBySso(browser, "dave@example.com");
    expect((await spendTicket(browser, ssoLanded.searchParams.get("ticket")!)).memberId).toMatch(/^mem_/);

    // Role settings can change under enforcement (the identity provider's side would clear the test).
    const changed = await callApi(app, "/api/v1/sso", {
      method: "PUT",
      body: {
        protocol: "saml",
        metadataXml: config.metadataXml,
        domains: ["example.com"],
        enforced: true,
        roleMapping: {},
        defaultRole: "developer",
      },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.testedAt).not.toBeNull();
    const moved = await callApi(app, "/api/v1/sso", {
      method: "PUT",
      body: {
        protocol: "saml",
        metadataXml: config.metadataXml.replace(idp.ssoUrl, `${idp.ssoUrl}?v=2`),
        domains: ["example.com"],
        enforced: true,
      },
    });
    expect(moved.status).toBe(409); // a new IdP endpoint: test again before enforcing
    const audit = (await callApi(app, "/api/v1/audit-logs?action=sso.*")).body.data as Array<{ action: string }>;
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["sso.create", "sso.test_passed", "sso.update"]));

    // Removed: the domain signs up with passwords again.
    expect((await callApi(app, "/api/v1/sso", { method: "DELETE" })).status).toBe(200);
    expect(
      (await new Session(app.baseUrl).trpc("auth.signUp", { email: "erin@example.com", password: "correct horse battery" })).status,
    ).toBe(200);
  });
});
