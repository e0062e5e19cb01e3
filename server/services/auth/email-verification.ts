import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { emailVerifications, members } from "@/db/schema";
import { publicUrl } from "@/server/lib/public-url";
import { newId } from "@/server/lib/ids";
import { log } from "@/server/lib/log";
import { processGlobal } from "@/server/lib/process-global";
import { sendMail } from "../email/send-mail";
import { NotFoundError, RateLimitedError } from "../errors";
import { AttemptLog } from "./attempt-log";

export const EMAIL_VERIFICATION_TTL_MS = 24 * 3600_000;

/** 32 random bytes, base64url: 43 characters. */
export const ZVerificationToken = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "not a verification link") });

// Verification e-mails per member (the one sign-up sends included): 5 an hour, per process.
const sendLog = processGlobal("verificationSendLog", () => new AttemptLog({ windowMs: 3600_000, limit: 5, maxKeys: 10_000 }));

/** Tokens carry 256 random bits: a fast hash is enough (as for invitations and API keys). */
function hashToken(token: string) {
  return createHash("sha256").update(token).digest("hex");
}

/** In the caller's transaction: a new link for the member. The token is returned once; only its hash is stored. */
export async function issueVerification(tx: Queryable, memberId: string, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await tx.insert(emailVerifications).values({
    id: newId("emv"),
    memberId,
    tokenHash: hashToken(token),
    expiresAt: new Date(now.getTime() + EMAIL_VERIFICATION_TTL_MS),
  });
  return token;
}

/**
 * Never the request's Host: a sign-up with a forged Host would mail the owner of the address a
 * link to the forger's server, carrying a token that verifies the forger's account.
 */
export function verificationLink(token: string) {
  return `${publicUrl()}/verify-email?token=${token}`;
}

/** Mail the link. Counted against the member's hourly budget; a failed send is logged, never thrown. */
export async function mailVerification(member: { id: string; email: string }, token: string, now = Date.now()) {
  sendLog.record(member.id, now);
  try {
    const sent = await sendMail(
      [member.email],
      "Confirm your e-mail address for Tokenist",
      [
        "Someone, hopefully you, created a Tokenist account with this e-mail address.",
        "Open this link in the browser where you are signed in to that account to confirm the address:",
        "",
        verificationLink(token),
        "",
        "The link works once and expires in 24 hours.",
        "If you did not create this account, ignore this e-mail: without the link the address stays unconfirmed.",
      ].join("\n"),
    );
    if (!sent.ok) log.warn("verification e-mail refused", { memberId: member.id, status: sent.status });
  } catch (err) {
    log.error("verification e-mail failed", { err, memberId: member.id });
  }
}

/** Whether the member has proved their address, for the banner and the invitation page. */
export async function emailStatus(db: Db, memberId: string) {
  const [member] = await db
    .select({ email: members.email, emailVerifiedAt: members.emailVerifiedAt })
    .from(members)
    .where(eq(members.id, memberId))
    .limit(1);
  if (!member) throw new NotFoundError("Member not found");
  return { email: member.email, verified: member.emailVerifiedAt !== null };
}

/** A new link for a signed-in, unverified member; at most 5 e-mails an hour. */
export async function resendVerification(db: Db, memberId: string, now = new Date()) {
  const [member] = await db.select().from(members).where(eq(members.id, memberId)).limit(1);
  if (!member) throw new NotFoundError("Member not found");
  if (member.emailVerifiedAt) return { sent: false, verified: true };
  const wait = sendLog.waitMs(member.id, now.getTime());
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60_000);
    throw new RateLimitedError(
      `We sent several links already. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
      Math.ceil(wait / 1000),
    );
  }
  const token = await issueVerification(db, member.id, now);
  await mailVerification(member, token, now.getTime());
  return { sent: true, verified: false };
}

export type VerificationOutcome = "verified" | "used" | "expired" | "invalid" | "other_member";

/**
 * The signed-in member opens their link: it is spent by one conditional UPDATE (single use
 * under concurrency) and the member becomes verified; nothing else changes. The link must be
 * opened by its own member, so whoever owns the mailbox cannot be tricked into confirming an
 * account someone else created with their address (H3 pre-hijack).
 */
export async function verifyEmail(db: Db, memberId: string, token: string, now = new Date()): Promise<VerificationOutcome> {
  const tokenHash = hashToken(token);
  return db.transaction(async (tx) => {
    const [spent] = await tx
      .update(emailVerifications)
      .set({ usedAt: now })
      .where(
        and(
          eq(emailVerifications.tokenHash, tokenHash),
          eq(emailVerifications.memberId, memberId),
          isNull(emailVerifications.usedAt),
          gt(emailVerifications.expiresAt, now),
        ),
      )
      .returning({ id: emailVerifications.id });
    if (spent) {
      await tx
        .update(members)
        .set({ emailVerifiedAt: now })
        .where(and(eq(members.id, memberId), isNull(members.emailVerifiedAt)));
      return "verified";
    }
    // Not spent: unknown, used, expired, or another member's live link (which stays unspent).
    const { state } = await inspect(tx, tokenHash, now);
    return state === "valid" ? "other_member" : state;
  });
}

/** What a link is, without spending it: for a visitor who is not signed in. */
export async function inspectVerification(db: Db, token: string, now = new Date()): Promise<"valid" | "used" | "expired" | "invalid"> {
  const { state } = await inspect(db, hashToken(token), now);
  return state;
}

async function inspect(q: Queryable, tokenHash: string, now: Date) {
  const [row] = await q.select().from(emailVerifications).where(eq(emailVerifications.tokenHash, tokenHash)).limit(1);
  if (!row) return { state: "invalid" as const, memberId: null };
  const state = row.usedAt ? ("used" as const) : row.expiresAt <= now ? ("expired" as const) : ("valid" as const);
  return { state, memberId: row.memberId };
}
