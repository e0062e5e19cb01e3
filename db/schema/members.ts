import { primaryKey, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const ROLES = ["owner", "admin", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** A dashboard user. E-mail is stored lower-cased. */
export const members = pgTable("members", {
  id: text("id").primaryKey(), // mem_...
  email: text("email").notNull().unique("members_email_key"),
  name: text("name"),
  /** scrypt hash (server/services/auth/password.ts); null for OAuth-only members. */
  passwordHash: text("password_hash"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const memberships = pgTable(
  "memberships",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.memberId], name: "memberships_pkey" }),
    index("memberships_member_id_idx").on(t.memberId),
  ],
);
