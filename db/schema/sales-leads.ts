import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Enterprise sales enquiries from the landing page's contact form (POST /api/contact-sales): no
 * workspace, nobody signed in. Each is e-mailed to TOKENIST_SALES_EMAIL when set; `emailedAt` /
 * `emailError` say how that went (the lead is kept either way).
 */
export const salesLeads = pgTable(
  "sales_leads",
  {
    id: text("id").primaryKey(), // lead_...
    name: text("name").notNull(),
    email: text("email").notNull(),
    company: text("company").notNull(),
    /** Expected tracked requests a month, as the visitor estimated them. */
    monthlyRequests: bigint("monthly_requests", { mode: "number" }).notNull(),
    message: text("message").notNull().default(""),
    emailedAt: timestamp("emailed_at", { withTimezone: true }),
    emailError: text("email_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("sales_leads_created_at_idx").on(t.createdAt)],
);
