import { createRequire } from "node:module";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { NextAuthOptions } from "next-auth";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { signInErrorMessage } from "@/app/_components/oauth-config";
import { members, memberships } from "@/db/schema";
import { authOptions } from "@/server/auth";
import { resetEnvCache } from "@/server/env";
import { ensureOAuthMember, signUp } from "@/server/services/auth/accounts";
import { OAUTH_EMAIL_NOT_VERIFIED } from "@/server/services/auth/oauth-providers";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";

// next-auth's own provider parsing (not exported): it merges our GitHub options over its defaults.
const parseProviders = createRequire(import.meta.url)(path.resolve("node_modules/next-auth/core/lib/providers.js")).default as (p: {
  providers: NextAuthOptions["providers"];
  url: string;
  providerId: string;
}) => { provider: { userinfo: { request: (ctx: unknown) => Promise<Record<string, unknown>> }; profile: (p: unknown) => Record<string, unknown> } };

const ENV = { AUTH_SECRET: "test-secret-0123456789abcdef", GITHUB_ID: "gh-id", GITHUB_SECRET: "gh-secret", GOOGLE_CLIENT_ID: "g-id", GOOGLE_CLIENT_SECRET: "g-secret" };

describe.each(TEST_DRIVERS)("OAuth sign-in and account linking on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let options: NextAuthOptions;
  const g = globalThis as { __tokenistBoot?: Promise<unknown> };

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    g.__tokenistBoot = Promise.resolve(database.db); // boot() hands the callbacks this database
    Object.assign(process.env, ENV);
    resetEnvCache();
    options = authOptions();
  });
  afterEach(() => vi.unstubAllGlobals());
  afterAll(async () => {
    g.__tokenistBoot = undefined;
    for (const k of Object.keys(ENV)) delete process.env[k];
    resetEnvCache();
    await database.close();
  });

  /** What next-auth does after the provider answered: signIn callback, then jwt and session. */
  async function completeOAuth(provider: "google" | "github", profile: Record<string, unknown>) {
    const user = { id: String(profile.sub ?? profile.id), email: (profile.email as string | null) ?? null, name: "Eve" };
    const account = { provider, type: "oauth" as const, providerAccountId: user.id };
    try {
      const allowed = await options.callbacks!.signIn!({ user, account, profile } as never);
      if (allowed !== true) return { refused: String(allowed) };
    } catch (err) {
      return { refused: (err as Error).message };
    }
    const token = await options.callbacks!.jwt!({ token: {}, user, account, trigger: "signIn" } as never);
    const session = (await options.callbacks!.session!({ session: { expires: "" }, token } as never)) as { memberId?: string };
    return { memberId: session.memberId };
  }

  /** GitHub's userinfo step as next-auth runs it, against a stubbed api.github.com. */
  async function gitHubProfile(publicProfile: Record<string, unknown>, emails: unknown, status = 200) {
    const fetchMock = vi.fn(async (url: string) => {
      expect(url).toBe("https://api.github.com/user/emails");
      return new Response(JSON.stringify(emails), { status });
    });
    vi.stubGlobal("fetch", fetchMock);
    const { provider } = parseProviders({ providers: options.providers, url: "http://app/api/auth", providerId: "github" });
    const raw = await provider.userinfo.request({ client: { userinfo: async () => publicProfile }, tokens: { access_token: "gho_x" }, provider });
    expect(fetchMock).toHaveBeenCalledOnce();
    return { raw, mapped: provider.profile(raw) };
  }

  async function existingMember(email: string) {
    const { member } = await signUp(database.db, { email, password: "victim password 1" });
    return member;
  }

  async function membersWith(email: string) {
    return database.db.select().from(members).where(eq(members.email, email));
  }

  it("H3: an unverified Google e-mail for an existing password member yields no session and no link", async () => {
    const victim = await existingMember("owner-g@x.com");
    for (const email_verified of [false, undefined, "true", 1, null]) {
      const result = await completeOAuth("google", { sub: "g-eve", email: "Owner-G@x.com", email_verified });
      expect(result, String(email_verified)).toEqual({ refused: OAUTH_EMAIL_NOT_VERIFIED });
    }
    expect(await membersWith("owner-g@x.com")).toEqual([victim]);
    expect(signInErrorMessage(OAUTH_EMAIL_NOT_VERIFIED)).toMatch(/not.*verified.*sign in with your password/i);
    expect(options.pages).toMatchObject({ error: "/sign-in" });
  });

  it("H3: GitHub's public or unverified primary e-mail is never used; the refusal is the same", async () => {
    const victim = await existingMember("owner-gh@x.com");
    const publicProfile = { id: 4242, login: "eve", name: null, email: "owner-gh@x.com", avatar_url: null };
    const cases: Array<[unknown, number]> = [
      [[{ email: "owner-gh@x.com", primary: true, verified: false }, { email: "eve@evil.example", primary: false, verified: true }], 200],
      [[{ email: "eve@evil.example", primary: true, verified: false }, { email: "owner-gh@x.com", primary: false, verified: true }], 200],
      [[], 200],
      [{ message: "Resource not accessible by integration" }, 403],
    ];
    for (const [emails, status] of cases) {
      const { raw, mapped } = await gitHubProfile(publicProfile, emails, status);
      expect(raw).toMatchObject({ email: null, email_verified: false });
      expect(mapped.email).toBeNull();
      expect(await completeOAuth("github", raw)).toEqual({ refused: OAUTH_EMAIL_NOT_VERIFIED });
    }
    expect(await membersWith("owner-gh@x.com")).toEqual([victim]);
  });

  it("H3: an unverified e-mail with no member creates none (the refusal does not tell whether one exists)", async () => {
    expect(await completeOAuth("google", { sub: "g-1", email: "nobody@x.com", email_verified: false })).toEqual({ refused: OAUTH_EMAIL_NOT_VERIFIED });
    expect(await membersWith("nobody@x.com")).toEqual([]);
    await expect(ensureOAuthMember(database.db, { email: "nobody@x.com", emailVerified: false, name: null })).rejects.toMatchObject({ status: 403 });
  });

  it("H3: a verified Google e-mail links to the existing member", async () => {
    const member = await existingMember("owner-ok@x.com");
    expect(await completeOAuth("google", { sub: "g-owner", email: "Owner-OK@x.com", email_verified: true })).toEqual({ memberId: member.id });
    expect(await membersWith("owner-ok@x.com")).toHaveLength(1);
  });

  it("H3: GitHub's primary verified e-mail links to the existing member", async () => {
    const member = await existingMember("owner-gh-ok@x.com");
    const { raw, mapped } = await gitHubProfile({ id: 7, login: "owner", name: "Owner", email: null }, [
      { email: "other@x.com", primary: false, verified: true },
      { email: "Owner-GH-OK@x.com", primary: true, verified: true },
    ]);
    expect(raw).toMatchObject({ email: "Owner-GH-OK@x.com", email_verified: true });
    expect(mapped).toMatchObject({ id: "7", email: "Owner-GH-OK@x.com" });
    expect(await completeOAuth("github", raw)).toEqual({ memberId: member.id });
  });

  it("H3: a first verified OAuth sign-in creates the member and their workspace", async () => {
    const result = await completeOAuth("google", { sub: "g-new", email: "new-oauth@x.com", email_verified: true });
    const [member] = await membersWith("new-oauth@x.com");
    expect(result).toEqual({ memberId: member!.id });
    expect(member!.passwordHash).toBeNull();
    expect(await database.db.select().from(memberships).where(eq(memberships.memberId, member!.id))).toHaveLength(1);
  });

  it("L5: a taken e-mail (any spelling) is refused in words that neither name the account nor say it exists", async () => {
    await existingMember("taken@x.com");
    for (const email of ["taken@x.com", " Taken@X.com "]) {
      const err = await signUp(database.db, { email, password: "another password" }).catch((e) => e);
      expect(err).toMatchObject({ status: 409 });
      expect(err.message).not.toMatch(/exist|registered|taken@x\.com/i);
    }
    expect(await membersWith("taken@x.com")).toHaveLength(1);
  });
});
