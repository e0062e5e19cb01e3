import { createRequire } from "node:module";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import type { NextAuthOptions } from "next-auth";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { signInErrorMessage } from "@/app/_components/oauth-config";
import { apiKeys, auditLogs, invitations, members, memberships } from "@/db/schema";
import { authOptions } from "@/server/auth";
import { resetEnvCache } from "@/server/env";
import { resolveApiKey } from "@/server/services/api-keys/resolve-api-key";
import { createApiKey } from "@/server/services/api-keys/manage-api-keys";
import { authenticate, ensureOAuthMember, signUp } from "@/server/services/auth/accounts";
import { verifyEmail } from "@/server/services/auth/email-verification";
import type { ServiceCtx } from "@/server/services/context";
import { createInvitation } from "@/server/services/members/invitations";
import { OAUTH_EMAIL_NOT_VERIFIED } from "@/server/services/auth/oauth-providers";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";

// next-auth's own provider parsing (not exported): it merges our GitHub options over its defaults.
const parseProviders = createRequire(import.meta.url)(path.resolve("node_modules/next-auth/core/lib/providers.js")).default as (p: {
  providers: NextAuthOptions["providers"];
  url: string;
  providerId: string;
}) => {
  provider: { userinfo: { request: (ctx: unknown) => Promise<Record<string, unknown>> }; profile: (p: unknown) => Record<string, unknown> };
};

const ENV = {
  AUTH_SECRET: "test-secret-0123456789abcdef",
  GITHUB_ID: "gh-id",
  GITHUB_SECRET: "gh-secret",
  GOOGLE_CLIENT_ID: "g-id",
  GOOGLE_CLIENT_SECRET: "g-secret",
};

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
    const result = await oauthSession(provider, profile);
    return "refused" in result ? result : { memberId: result.memberId };
  }

  async function oauthSession(provider: "google" | "github", profile: Record<string, unknown>) {
    const user = { id: String(profile.sub ?? profile.id), email: (profile.email as string | null) ?? null, name: "Eve" };
    const account = { provider, type: "oauth" as const, providerAccountId: user.id };
    try {
      const allowed = await options.callbacks!.signIn!({ user, account, profile } as never);
      if (allowed !== true) return { refused: String(allowed) };
    } catch (err) {
      return { refused: (err as Error).message };
    }
    const token = (await options.callbacks!.jwt!({ token: {}, user, account, trigger: "signIn" } as never)) as Record<string, unknown>;
    const session = (await options.callbacks!.session!({ session: { expires: "" }, token } as never)) as { memberId?: string };
    return { memberId: session.memberId, token };
  }

  /** The credentials provider's authorize (the form's POST), then the jwt callback: the session cookie's token. */
  async function passwordSession(email: string, password: string) {
    const credentials = options.providers.find((p) => p.id === "credentials") as unknown as {
      options: {
        authorize: (c: Record<string, string>, req: { headers: Record<string, string> }) => Promise<Record<string, unknown> | null>;
      };
    };
    const user = await credentials.options.authorize({ email, password }, { headers: {} });
    if (!user) return null;
    const account = { provider: "credentials", type: "credentials" as const, providerAccountId: String(user.id) };
    return (await options.callbacks!.jwt!({ token: {}, user, account, trigger: "signIn" } as never)) as Record<string, unknown>;
  }

  /** What every later request does with the cookie's token (getServerSession): jwt, then session. */
  async function sessionMemberId(token: Record<string, unknown>) {
    const next = await options.callbacks!.jwt!({ token } as never);
    const session = (await options.callbacks!.session!({ session: { expires: "" }, token: next } as never)) as { memberId?: string };
    return session.memberId ?? null;
  }

  /** GitHub's userinfo step as next-auth runs it, against a stubbed api.github.com. */
  async function gitHubProfile(publicProfile: Record<string, unknown>, emails: unknown, status = 200) {
    const fetchMock = vi.fn(async (url: string) => {
      expect(url).toBe("https://api.github.com/user/emails");
      return new Response(JSON.stringify(emails), { status });
    });
    vi.stubGlobal("fetch", fetchMock);
    const { provider } = parseProviders({ providers: options.providers, url: "http://app/api/auth", providerId: "github" });
    const raw = await provider.userinfo.request({
      client: { userinfo: async () => publicProfile },
      tokens: { access_token: "gho_x" },
      provider,
    });
    expect(fetchMock).toHaveBeenCalledOnce();
    return { raw, mapped: provider.profile(raw) };
  }

  /** A password sign-up; `verified`: its owner then opened the link we mailed. */
  async function existingMember(email: string, { verified = false } = {}) {
    const { member, verificationToken } = await signUp(database.db, { email, password: "victim password 1" });
    if (!verified) return member;
    expect(await verifyEmail(database.db, member.id, verificationToken)).toBe("verified");
    return (await membersWith(email))[0]!;
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
      [
        [
          { email: "owner-gh@x.com", primary: true, verified: false },
          { email: "eve@evil.example", primary: false, verified: true },
        ],
        200,
      ],
      [
        [
          { email: "eve@evil.example", primary: true, verified: false },
          { email: "owner-gh@x.com", primary: false, verified: true },
        ],
        200,
      ],
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
    expect(await completeOAuth("google", { sub: "g-1", email: "nobody@x.com", email_verified: false })).toEqual({
      refused: OAUTH_EMAIL_NOT_VERIFIED,
    });
    expect(await membersWith("nobody@x.com")).toEqual([]);
    await expect(ensureOAuthMember(database.db, { email: "nobody@x.com", emailVerified: false, name: null })).rejects.toMatchObject({
      status: 403,
    });
  });

  it("H3: a verified Google e-mail links to the existing member whose e-mail is verified; password and sessions stay", async () => {
    const member = await existingMember("owner-ok@x.com", { verified: true });
    const earlier = (await passwordSession("owner-ok@x.com", "victim password 1"))!;
    expect(await completeOAuth("google", { sub: "g-owner", email: "Owner-OK@x.com", email_verified: true })).toEqual({
      memberId: member.id,
    });
    expect(await membersWith("owner-ok@x.com")).toEqual([member]); // nothing changed: no password cleared, no session version bumped
    expect(await sessionMemberId(earlier)).toBe(member.id);
  });

  it("H3: GitHub's primary verified e-mail links to the existing verified member", async () => {
    const member = await existingMember("owner-gh-ok@x.com", { verified: true });
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
    expect(member!.emailVerifiedAt).toBeInstanceOf(Date);
    expect(await database.db.select().from(memberships).where(eq(memberships.memberId, member!.id))).toHaveLength(1);
  });

  it("H3: a password account created first for an address is taken over by the provider-verified owner: attacker's session and keys stop working", async () => {
    // The attacker signs up with the victim's address (never verifying it), stays signed in, and
    // prepares: an API key, an invitation for an accomplice.
    const { member: squatter, workspace } = await signUp(database.db, { email: "victim@corp.com", password: "attacker password" });
    const attackerSession = (await passwordSession("victim@corp.com", "attacker password"))!;
    expect(await sessionMemberId(attackerSession)).toBe(squatter.id);
    const ctx: ServiceCtx = { db: database.db, workspaceId: workspace.id, actor: { type: "member", id: squatter.id } };
    const { key } = await createApiKey({ ctx, input: { name: "planted", scopes: ["sdk", "read"] } });
    await createInvitation({ ctx, actorRole: "owner", input: { email: "accomplice@evil.example", role: "admin" } });
    expect(await resolveApiKey(database.db, key)).toMatchObject({ workspaceId: workspace.id });

    // The owner of the mailbox signs in with Google, which vouches for the address.
    const owner = await oauthSession("google", { sub: "g-victim", email: "Victim@Corp.com", email_verified: true });
    expect(owner).toMatchObject({ memberId: squatter.id }); // the same member: the owner keeps the workspace
    const ownerToken = (owner as { token: Record<string, unknown> }).token;

    const [now] = await membersWith("victim@corp.com");
    expect(now).toMatchObject({ passwordHash: null, sessionVersion: squatter.sessionVersion + 1 });
    expect(now!.emailVerifiedAt).toBeInstanceOf(Date);
    // The attacker's session ends on its next request; their password no longer signs in; the owner's session works.
    expect(await sessionMemberId(attackerSession)).toBeNull();
    expect(await authenticate(database.db, "victim@corp.com", "attacker password")).toBeNull();
    expect(await passwordSession("victim@corp.com", "attacker password")).toBeNull();
    expect(await sessionMemberId(ownerToken)).toBe(squatter.id);
    // The planted key is revoked and the pending invitation withdrawn, in an audited transaction.
    await expect(resolveApiKey(database.db, key)).rejects.toMatchObject({ status: 401 });
    expect((await database.db.select().from(apiKeys).where(eq(apiKeys.workspaceId, workspace.id))).every((k) => k.revokedAt)).toBe(true);
    expect(await database.db.select().from(invitations).where(eq(invitations.workspaceId, workspace.id))).toEqual([]);
    const [audit] = await database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, workspace.id), eq(auditLogs.action, "member.email_takeover")));
    expect(audit).toMatchObject({
      actorType: "system",
      targetId: squatter.id,
      data: { provider: "google", passwordCleared: true, sessionsEnded: true },
    });
    expect((audit!.data as { revokedKeys: string[] }).revokedKeys).toHaveLength(1);
    expect((audit!.data as { withdrawnInvitations: string[] }).withdrawnInvitations).toHaveLength(1);

    // Now verified, the member is a plain link target: a later sign-in changes nothing and ends no session.
    expect(await completeOAuth("google", { sub: "g-victim", email: "victim@corp.com", email_verified: true })).toEqual({
      memberId: squatter.id,
    });
    expect(await membersWith("victim@corp.com")).toEqual([now]);
    expect(await sessionMemberId(ownerToken)).toBe(squatter.id);
  });

  it("H3: a session whose member is gone, or a token from before session versions, is handled", async () => {
    const member = await existingMember("versions@x.com");
    const token = (await passwordSession("versions@x.com", "victim password 1"))!;
    const { sessionVersion: _, ...legacy } = token; // cookies issued before this change carry no version: taken as 0
    expect(await sessionMemberId(legacy)).toBe(member.id);
    await database.db.delete(members).where(eq(members.id, member.id));
    expect(await sessionMemberId(token)).toBeNull();
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
