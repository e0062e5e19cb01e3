import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../helpers/app-server";
import { mailText, startSmtpServer } from "../helpers/receivers";
import { Session } from "../helpers/session";

describe("e-mail verification over HTTP (real server, SMTP receiver)", () => {
  let app: RunningApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await startApp({ env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await app?.dispose();
    await smtp?.close();
  });

  it("H3: sign up lands on the dashboard at once, the link arrives by e-mail, and /verify-email confirms the address", async () => {
    const email = `new-${randomBytes(4).toString("hex")}@example.com`;
    const me = new Session(app.baseUrl);
    const signUp = await me.trpc("auth.signUp", { email, password: "correct horse battery" });
    expect(signUp.status).toBe(200);
    await me.signIn(email, "correct horse battery");
    // Zero friction: the new workspace's dashboard works before any verification.
    expect((await me.fetch(`/w/${signUp.data.workspaceId}`)).status).toBe(200);
    expect((await me.trpc("auth.emailStatus", null, "query")).data).toEqual({ email, verified: false });

    const mail = smtp.messages.find((m) => m.to.includes(email));
    expect(mail, "the verification e-mail").toBeDefined();
    const text = mailText(mail!);
    expect(text).toContain("expires in 24 hours");
    const link = /(\S+\/verify-email\?token=([A-Za-z0-9_-]{43}))/.exec(text);
    expect(link, text).not.toBeNull();
    // No TOKENIST_PUBLIC_URL here: the link names the app's own port, never a request's Host.
    expect(link![1]).toBe(`http://localhost:${app.env.PORT}/verify-email?token=${link![2]}`);
    const path = `/verify-email?token=${link![2]}`;

    // Opened signed out (a mail scanner, or the owner of a mailbox someone else signed up with): nothing is spent.
    const signedOut = await (await fetch(`${app.baseUrl}${path}`)).text();
    expect(signedOut).toContain("Sign in to confirm your e-mail");
    expect((await me.trpc("auth.emailStatus", null, "query")).data).toEqual({ email, verified: false });

    const page = await me.fetch(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("E-mail address verified");
    expect((await me.trpc("auth.emailStatus", null, "query")).data).toEqual({ email, verified: true });

    const again = await (await me.fetch(path)).text();
    expect(again).toContain("This link was used already");
    expect(again).toContain("is verified: there is nothing more to do");
    // Verifying changed nothing else: the password still signs in.
    await new Session(app.baseUrl).signIn(email, "correct horse battery");
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("session versions over HTTP (real server on Postgres)", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ driver: "postgres" });
  });
  afterAll(() => app?.dispose());

  it("H3: a session whose member's sessionVersion moved on (a takeover) is signed out on its next request", async () => {
    const email = `versioned-${randomBytes(4).toString("hex")}@example.com`;
    const me = new Session(app.baseUrl);
    const { data } = await me.trpc("auth.signUp", { email, password: "correct horse battery" });
    await me.signIn(email, "correct horse battery");
    expect((await me.fetch(`/w/${data.workspaceId}`)).status).toBe(200);
    expect((await me.trpc("auth.emailStatus", null, "query")).status).toBe(200);

    // What take-over-unverified.ts does to the member's row (the callback-level test runs the takeover itself).
    const sql = postgres(app.databaseUrl!, { max: 1, onnotice: () => {} });
    await sql`update members set session_version = session_version + 1 where email = ${email}`;
    await sql.end();

    expect((await me.trpc("auth.emailStatus", null, "query")).status).toBe(401);
    const dashboard = await me.fetch(`/w/${data.workspaceId}`);
    expect(dashboard.status).toBe(307);
    expect(dashboard.headers.get("location")).toMatch(/\/sign-in$/);
    expect(await (await me.fetch("/api/auth/session")).json()).toEqual({});
    // Signing in again starts a session at the new version.
    await me.signIn(email, "correct horse battery");
    expect((await me.trpc("auth.emailStatus", null, "query")).status).toBe(200);
  });
});
