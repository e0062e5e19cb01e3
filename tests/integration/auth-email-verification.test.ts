import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailVerifications, members, memberships } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import { signUp } from "@/server/services/auth/accounts";
import {
  EMAIL_VERIFICATION_TTL_MS,
  inspectVerification,
  issueVerification,
  resendVerification,
  verifyEmail,
} from "@/server/services/auth/email-verification";
import { acceptInvitation, createInvitation } from "@/server/services/members/invitations";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe.each(TEST_DRIVERS)("e-mail verification on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  let n = 0;
  const newSignUp = (prefix: string) => signUp(database.db, { email: `${prefix}-${++n}@example.com`, password: "correct horse battery" });
  const memberRow = async (id: string) => (await database.db.select().from(members).where(eq(members.id, id)))[0]!;

  it("H3: the verification link is single-use, expires after 24 h, and only its hash is stored", async () => {
    const { member, verificationToken: first } = await newSignUp("link");
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    const [row] = await database.db.select().from(emailVerifications).where(eq(emailVerifications.memberId, member.id));
    expect(row!.tokenHash).toBe(sha256(first));
    expect(JSON.stringify(row)).not.toContain(first);
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBeGreaterThan(EMAIL_VERIFICATION_TTL_MS - 5_000);
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBeLessThanOrEqual(EMAIL_VERIFICATION_TTL_MS + 5_000);

    // A day later the link is dead and verifies nothing.
    const dayLater = new Date(row!.expiresAt.getTime() + 1);
    expect(await verifyEmail(database.db, member.id, first, dayLater)).toBe("expired");
    expect(await inspectVerification(database.db, first, dayLater)).toBe("expired");
    expect((await memberRow(member.id)).emailVerifiedAt).toBeNull();

    // A new link: two tabs opening it at once spend it once.
    await resendVerification(database.db, member.id);
    const rows = await database.db.select().from(emailVerifications).where(eq(emailVerifications.memberId, member.id));
    expect(rows).toHaveLength(2);
    // That link went to the log (no SMTP_URL here; the HTTP test reads one from SMTP): mint one to open.
    const second = await issueVerification(database.db, member.id);
    expect(await inspectVerification(database.db, second)).toBe("valid");
    const outcomes = await Promise.all([verifyEmail(database.db, member.id, second), verifyEmail(database.db, member.id, second)]);
    expect(outcomes.sort()).toEqual(["used", "verified"]);
    expect(await verifyEmail(database.db, member.id, second)).toBe("used");
    expect(await verifyEmail(database.db, member.id, "x".repeat(43))).toBe("invalid");
    const verified = await memberRow(member.id);
    expect(verified.emailVerifiedAt).toBeInstanceOf(Date);
    // Verifying changes nothing else: the password and every session stay.
    expect(verified).toMatchObject({ passwordHash: member.passwordHash, sessionVersion: member.sessionVersion });
    await expect(resendVerification(database.db, member.id)).resolves.toEqual({ sent: false, verified: true });
  });

  it("H3: a link is spent only by the member it was sent for (the mailbox owner cannot confirm a squatter's account)", async () => {
    const squatter = await newSignUp("squatter");
    const other = await newSignUp("other");
    expect(await verifyEmail(database.db, other.member.id, squatter.verificationToken)).toBe("other_member");
    expect(await inspectVerification(database.db, squatter.verificationToken)).toBe("valid"); // not spent
    expect((await memberRow(squatter.member.id)).emailVerifiedAt).toBeNull();
    expect((await memberRow(other.member.id)).emailVerifiedAt).toBeNull();
  });

  it("H3: an unverified member cannot accept an invitation; after the link, they can", async () => {
    const { ctx } = await createTestWorkspace(database.db, "Inviting");
    const invitee = await newSignUp("invitee");
    const { token } = await createInvitation({ ctx, actorRole: "owner", input: { email: invitee.member.email, role: "viewer" } });
    const asInvitee = createCaller({ db: database.db, memberId: invitee.member.id });
    expect(await asInvitee.auth.emailStatus()).toEqual({ email: invitee.member.email, verified: false });
    await expect(asInvitee.members.acceptInvitation({ token })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/^Verify your e-mail address first/),
    });
    expect(await database.db.select().from(memberships).where(eq(memberships.workspaceId, ctx.workspaceId))).toHaveLength(1); // the owner only

    expect(await asInvitee.auth.verifyEmail({ token: invitee.verificationToken })).toEqual({ outcome: "verified" });
    expect(await asInvitee.auth.emailStatus()).toEqual({ email: invitee.member.email, verified: true });
    expect(await acceptInvitation(database.db, invitee.member.id, token)).toEqual({ workspaceId: ctx.workspaceId, role: "viewer" });
  });

  it("H3: re-sending is rate-limited per member", async () => {
    const { member } = await newSignUp("resend");
    for (let i = 0; i < 5; i++) expect(await resendVerification(database.db, member.id)).toEqual({ sent: true, verified: false });
    await expect(resendVerification(database.db, member.id)).rejects.toMatchObject({
      status: 429,
      message: expect.stringMatching(/Try again in \d+ minutes?/),
    });
    // Another member's budget is their own.
    const other = await newSignUp("resend-other");
    expect(await resendVerification(database.db, other.member.id)).toEqual({ sent: true, verified: false });
  });
});
