import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { members } from "./members";

/**
 * A link that proves a member holds their e-mail address, sent at password sign-up. Only the
 * SHA-256 of the link's token is stored; the link is single use and expires after 24 hours.
 */
export const emailVerifications = pgTable(
  "email_verifications",
  {
    id: text("id").primaryKey(), // emv_...
    memberId: text("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique("email_verifications_token_hash_key"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("email_verifications_member_id_idx").on(t.memberId)],
);
