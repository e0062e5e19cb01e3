import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../helpers/app-server";
import { Session } from "../helpers/session";

const randomIp = () => [...randomBytes(4)].join(".");

/** One POST /api/auth/callback/credentials, as the sign-in form sends it. */
async function signInOnce(baseUrl: string, email: string, password: string, forwardedFor: string) {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": forwardedFor },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const { url } = (await res.json()) as { url: string };
  return {
    signedIn: res.headers.getSetCookie().some((c) => c.includes("session-token")),
    error: new URL(url, baseUrl).searchParams.get("error"),
  };
}

describe("credentials sign-in and the sign-in page over HTTP (no trusted proxy)", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => app?.dispose());

  it("H4: 30 wrong passwords with e-mail variations and random X-Forwarded-For are throttled as one account", async () => {
    const errors: Array<string | null> = [];
    for (let i = 0; i < 30; i++) {
      const spelled = i % 3 === 0 ? app.email.toUpperCase() : i % 3 === 1 ? `${app.email}\t` : app.email;
      const r = await signInOnce(app.baseUrl, `${" ".repeat(i)}${spelled}`, `wrong password ${i}`, `${randomIp()}, ${randomIp()}`);
      expect(r.signedIn).toBe(false);
      errors.push(r.error);
    }
    expect(errors.slice(0, 10)).toEqual(Array(10).fill("CredentialsSignin"));
    for (const e of errors.slice(10)) expect(e).toBe("Too many sign-in attempts. Try again in 15 minutes.");

    // Until the window passes even the right password is refused, with the same clear message.
    const right = await signInOnce(app.baseUrl, ` ${app.email.toUpperCase()} `, app.password, randomIp());
    expect(right).toEqual({ signedIn: false, error: "Too many sign-in attempts. Try again in 15 minutes." });
  });

  it("H4: the shared DIRECT address is not a budget, so one account's lockout does not lock out another", async () => {
    const other = new Session(app.baseUrl);
    const email = `other-${randomBytes(3).toString("hex")}@example.com`;
    expect((await other.trpc("auth.signUp", { email, password: "another good password" })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await signInOnce(app.baseUrl, email, "wrong", randomIp())).error).toBe("CredentialsSignin");
    await other.signIn(` ${email.toUpperCase()}`, "another good password");
  });

  it("H3: a refused OAuth sign-in lands on the sign-in page with a message that says why", async () => {
    // next-auth sends the signIn callback's refusal to /api/auth/error, which hands it to pages.error.
    const res = await fetch(`${app.baseUrl}/api/auth/error?error=OAuthEmailNotVerified`, { redirect: "manual" });
    expect(res.headers.get("location")).toMatch(/\/sign-in\?error=OAuthEmailNotVerified$/);
    const html = await (await fetch(`${app.baseUrl}/sign-in?error=OAuthEmailNotVerified`)).text();
    expect(html).toContain("did not confirm that this e-mail address is verified");
  });

  it("M12: a callbackUrl with a tab, a backslash or // never reaches the sign-in form", async () => {
    // The form's callbackUrl prop, as the page serialised it for the client.
    const formCallback = async (v: string) => {
      const html = await (await fetch(`${app.baseUrl}/sign-in?callbackUrl=${encodeURIComponent(v)}`)).text();
      return /\\"callbackUrl\\":\\"([^\\"]*)\\",\\"oauth\\"/.exec(html)?.[1];
    };
    for (const v of ["/\t/evil.example/login", "/\\evil.example", "//evil.example", "https://evil.example", "/..//evil.example"]) {
      expect(await formCallback(v), JSON.stringify(v)).toBe("/w");
    }
    expect(await formCallback("/w/ws_x/logs?day=1")).toBe("/w/ws_x/logs?day=1");
  });
});

describe("credentials sign-in limiter over HTTP (one trusted proxy)", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ env: { TOKENIST_TRUSTED_PROXIES: "1" } });
  });
  afterAll(() => app?.dispose());

  it("H4: the address is the proxy's hop, so a client-chosen X-Forwarded-For prefix gets no fresh budget", async () => {
    const client = "198.51.100.7";
    for (let i = 0; i < 30; i++) {
      const r = await signInOnce(app.baseUrl, `spray-${i}@example.com`, "Summer2026!", `${randomIp()}, ${client}`);
      expect(r.error).toBe("CredentialsSignin");
    }
    const blocked = await signInOnce(app.baseUrl, app.email, app.password, `${randomIp()}, ${randomIp()}, ${client}`);
    expect(blocked).toEqual({ signedIn: false, error: "Too many sign-in attempts. Try again in 15 minutes." });
    // Another address (the proxy's hop differs) is its own budget.
    expect(await signInOnce(app.baseUrl, app.email, app.password, `${client}, 198.51.100.8`)).toEqual({ signedIn: true, error: null });
  });
});
