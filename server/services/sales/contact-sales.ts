/**
 * The Enterprise contact form (landing page → POST /api/contact-sales): a public door, so the
 * body is strict and small, and each client address may send a few enquiries an hour. The lead
 * is stored first; then, when TOKENIST_SALES_EMAIL is set, it is e-mailed there. A failed e-mail
 * never loses the lead nor fails the visitor's submission: sales_leads keeps why it was not sent.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { salesLeads } from "@/db/schema";
import { env } from "@/server/env";
import { newId } from "@/server/lib/ids";
import { log } from "@/server/lib/log";
import { sharedLimit } from "@/server/lib/shared-limit";
import { sendMail } from "../email/send-mail";
import { RateLimitedError } from "../errors";

/** Enquiries per client address and hour, every instance together. */
export const CONTACT_SALES_LIMIT = { points: 5, windowSeconds: 3600 };

/** One line of plain text: no control characters (they would end up in an e-mail subject). */
const line = (field: string, max: number) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} is required`)
    .max(max, `${field} must be at most ${max} characters`)
    .regex(/^[^\u0000-\u001f\u007f]*$/, `${field} must be one line of text`);

export const ZContactSales = z.strictObject({
  name: line("Name", 200),
  email: z
    .string({ error: "Work e-mail is required" })
    .trim()
    .max(320, "Work e-mail must be at most 320 characters")
    .pipe(z.email("Work e-mail must be an e-mail address")),
  company: line("Company", 200),
  monthlyRequests: z
    .number({ error: "Expected monthly requests must be a number" })
    .int("Expected monthly requests must be a whole number")
    .min(0, "Expected monthly requests cannot be negative")
    .max(1_000_000_000_000, "Expected monthly requests must be at most 1,000,000,000,000"),
  message: z.string().trim().max(5000, "Message must be at most 5,000 characters").default(""),
});
export type TContactSales = z.input<typeof ZContactSales>;

export interface ContactSalesResult {
  id: string;
  /** Whether the operator was e-mailed (false: no TOKENIST_SALES_EMAIL, or the send failed; the lead is kept). */
  emailed: boolean;
}

function leadText(id: string, lead: z.output<typeof ZContactSales>): string {
  return [
    "A new Enterprise enquiry from the Tokenist landing page.",
    "",
    `Name:             ${lead.name}`,
    `Work e-mail:      ${lead.email}`,
    `Company:          ${lead.company}`,
    `Monthly requests: ${lead.monthlyRequests.toLocaleString("en-US")}`,
    "",
    lead.message || "(no message)",
    "",
    `Lead ${id} (sales_leads).`,
  ].join("\n");
}

/** Store an enquiry, then e-mail it to TOKENIST_SALES_EMAIL when set. `clientAddress` is only a rate-limit key (not stored). */
export async function contactSales(db: Db, input: unknown, clientAddress: string): Promise<ContactSalesResult> {
  const lead = ZContactSales.parse(input);
  const limit = await sharedLimit(db, { name: "contact-sales", ...CONTACT_SALES_LIMIT }).take(clientAddress);
  if (!limit.allowed) {
    throw new RateLimitedError(
      "Too many enquiries from this address: please try again later, or e-mail us",
      Math.ceil(limit.msBeforeNext / 1000),
    );
  }
  const id = newId("lead");
  await db.insert(salesLeads).values({ id, ...lead });
  const to = env().TOKENIST_SALES_EMAIL;
  if (!to) return { id, emailed: false };
  let error: string | null = null;
  try {
    const sent = await sendMail([to], `[Tokenist] Enterprise enquiry: ${lead.company}`, leadText(id, lead));
    if (!sent.ok) error = `refused: ${sent.body}`.slice(0, 500);
  } catch (err) {
    error = String((err as Error).message ?? err).slice(0, 500);
  }
  if (error) log.warn("sales lead not e-mailed", { id, error });
  await db
    .update(salesLeads)
    .set(error ? { emailError: error } : { emailedAt: new Date() })
    .where(eq(salesLeads.id, id));
  return { id, emailed: !error };
}
