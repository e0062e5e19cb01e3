import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { members, memberships } from "@/db/schema";
import { sendToChannel } from "../channels/send";
import { ZCrossingPayload } from "@/server/events/catalogue";

async function ownerEmails(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db
    .select({ email: members.email })
    .from(memberships)
    .innerJoin(members, eq(members.id, memberships.memberId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, "owner")));
  return rows.map((r) => r.email);
}

/** E-mail the workspace's owners (billing notices: quota, trial ending, payment failed). */
export async function emailOwners(db: Db, workspaceId: string, subject: string, text: string) {
  const to = await ownerEmails(db, workspaceId);
  if (to.length === 0) return { sent: 0 };
  const res = await sendToChannel({ type: "email", to }, { subject, text, payload: {} });
  if (!res.ok) throw new Error(`owner e-mail refused: ${res.body}`);
  return { sent: to.length };
}

/** tokenist/quota.crossed → "80% (or 100%) of this month's requests used", once per month. */
export async function notifyQuotaCrossed(db: Db, input: { workspaceId: string; payload: unknown }) {
  const c = ZCrossingPayload.parse(input.payload);
  const full = c.threshold === "100%";
  const subject = full
    ? `[Tokenist] Your ${c.name.replace(" requests", "")} requests for this month are used up`
    : `[Tokenist] ${c.threshold} of this month's requests used`;
  const text = `Your workspace has made ${c.used.toLocaleString("en-US")} of ${c.limit.toLocaleString("en-US")} tracked requests this month (${c.threshold}).\n${
    full ? "On the Free plan, /sdk/* calls now answer 402 until the 1st of next month (UTC). " : ""
  }Upgrade on the Billing page to keep going.`;
  return emailOwners(db, input.workspaceId, subject, text);
}
