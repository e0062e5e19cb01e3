import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { members } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { ConflictError } from "../errors";
import { insertWorkspace } from "../workspaces/workspaces";
import { hashPassword, verifyPassword } from "./password";

export const ZSignUp = z.object({
  email: z.email().max(254).transform((e) => e.toLowerCase()),
  password: z.string().min(8, "Password must be at least 8 characters").max(200),
  name: z.string().trim().max(100).optional(),
  workspaceName: z.string().trim().min(1).max(100).optional(),
});

/** Sign up: a member and their first workspace, on the free plan. */
export async function signUp(db: Db, input: z.input<typeof ZSignUp>) {
  const { email, password, name, workspaceName } = ZSignUp.parse(input);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const [member] = await tx
      .insert(members)
      .values({ id: newId("mem"), email, name: name || null, passwordHash })
      .onConflictDoNothing()
      .returning();
    if (!member) throw new ConflictError("An account with this e-mail already exists");
    const workspace = await insertWorkspace(tx, {
      name: workspaceName || `${name || email.split("@")[0]}'s workspace`,
      ownerId: member.id,
      actor: { type: "member", id: member.id },
    });
    return { member, workspace };
  });
}

// Compared against when the e-mail is unknown, so both paths take the same time.
let dummyHash: Promise<string> | undefined;

/** E-mail and password → member, or null. Never says which of the two was wrong. */
export async function authenticate(db: Db, email: string, password: string) {
  const [member] = await db.select().from(members).where(eq(members.email, email.trim().toLowerCase())).limit(1);
  if (!member?.passwordHash) {
    dummyHash ??= hashPassword("not-a-real-password");
    await verifyPassword(password, await dummyHash);
    return null;
  }
  return (await verifyPassword(password, member.passwordHash)) ? member : null;
}

/** First OAuth sign-in creates the member and a workspace; later ones find it. */
export async function ensureOAuthMember(db: Db, input: { email: string; name: string | null }) {
  const email = input.email.toLowerCase();
  const [existing] = await db.select().from(members).where(eq(members.email, email)).limit(1);
  if (existing) return existing;
  return db.transaction(async (tx) => {
    const [member] = await tx.insert(members).values({ id: newId("mem"), email, name: input.name }).returning();
    await insertWorkspace(tx, {
      name: `${input.name || email.split("@")[0]}'s workspace`,
      ownerId: member!.id,
      actor: { type: "member", id: member!.id },
    });
    return member!;
  });
}
