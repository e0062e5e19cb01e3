import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { members } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { ConflictError, ForbiddenError } from "../errors";
import { insertWorkspace } from "../workspaces/workspaces";
import { issueVerification } from "./email-verification";
import { MAX_EMAIL_LENGTH, normaliseEmail } from "./normalise-email";
import { hashPassword, verifyPassword } from "./password";
import { takeOverUnverifiedMember } from "./take-over-unverified";

export const ZSignUp = z.object({
  // normaliseEmail's spelling, but refused rather than cut when too long.
  email: z.string().trim().toLowerCase().pipe(z.email().max(MAX_EMAIL_LENGTH)),
  password: z.string().min(8, "Password must be at least 8 characters").max(200),
  name: z.string().trim().max(100).optional(),
  workspaceName: z.string().trim().min(1).max(100).optional(),
});

/**
 * Sign up: a member and their first workspace, on the free plan, usable at once. The e-mail is
 * unverified until the link (`verificationToken`, for the caller to mail) is opened: until then
 * the member cannot accept invitations, and a provider-verified OAuth sign-in for the address
 * takes the member over (take-over-unverified.ts).
 */
export async function signUp(db: Db, input: z.input<typeof ZSignUp>) {
  const { email, password, name, workspaceName } = ZSignUp.parse(input);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const [member] = await tx
      .insert(members)
      .values({ id: newId("mem"), email, name: name || null, passwordHash })
      .onConflictDoNothing()
      .returning();
    // Worded like any other refusal and never naming the account; the status still tells (see L5).
    if (!member) throw new ConflictError("We could not create an account with this e-mail. If you already have one, sign in instead.");
    const workspace = await insertWorkspace(tx, {
      name: workspaceName || `${name || email.split("@")[0]}'s workspace`,
      ownerId: member.id,
      actor: { type: "member", id: member.id },
    });
    const verificationToken = await issueVerification(tx, member.id);
    return { member, workspace, verificationToken };
  });
}

// Compared against when the e-mail is unknown, so both paths take the same time.
let dummyHash: Promise<string> | undefined;

// Sign-up caps passwords at 200 characters; past this one a guess would only cost us a hash
// (and an NFKC pass) over whatever megabytes the request carried.
const MAX_PASSWORD_LENGTH = 1024;

/** E-mail and password → member, or null. Never says which of the two was wrong. */
export async function authenticate(db: Db, email: string, password: string) {
  if (password.length > MAX_PASSWORD_LENGTH) return null;
  const address = normaliseEmail(email);
  // Postgres refuses NUL in text: such an address matches nobody and must not become a 500.
  const [member] = /[\u0000-\u001f]/.test(address) ? [] : await db.select().from(members).where(eq(members.email, address)).limit(1);
  if (!member?.passwordHash) {
    dummyHash ??= hashPassword("not-a-real-password");
    await verifyPassword(password, await dummyHash);
    return null;
  }
  return (await verifyPassword(password, member.passwordHash)) ? member : null;
}

/**
 * First OAuth sign-in creates the member (verified) and a workspace; later ones find it by
 * e-mail. Only an address the provider vouches for may do either: linking an unverified one
 * would hand the account of whoever owns that address to anyone who typed it into GitHub. An
 * existing member whose own e-mail was never verified is not linked but taken over (H3 pre-hijack).
 */
export async function ensureOAuthMember(db: Db, input: { email: string; emailVerified: boolean; name: string | null; provider?: string }) {
  const email = input.email.trim().toLowerCase();
  if (!input.emailVerified || email.length > MAX_EMAIL_LENGTH) {
    throw new ForbiddenError("The sign-in provider has not verified this e-mail address");
  }
  const [existing] = await db.select().from(members).where(eq(members.email, email)).limit(1);
  if (existing?.emailVerifiedAt) return existing;
  if (existing) return takeOverUnverifiedMember(db, existing.id, input.provider ?? "oauth");
  return db.transaction(async (tx) => {
    const [member] = await tx
      .insert(members)
      .values({ id: newId("mem"), email, name: input.name, emailVerifiedAt: new Date() })
      .returning();
    await insertWorkspace(tx, {
      name: `${input.name || email.split("@")[0]}'s workspace`,
      ownerId: member!.id,
      actor: { type: "member", id: member!.id },
    });
    return member!;
  });
}

/** The member's current session version (every session's JWT carries the one it began with), or null when the member is gone. */
export async function currentSessionVersion(db: Db, memberId: string): Promise<number | null> {
  const [row] = await db.select({ v: members.sessionVersion }).from(members).where(eq(members.id, memberId)).limit(1);
  return row?.v ?? null;
}
