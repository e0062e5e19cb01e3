import { primaryKey, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const ROLES = ["owner", "admin", "developer", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** A dashboard user. E-mail is stored lower-cased. */
export const members = pgTable("members", {
  id: text("id").primaryKey(), // mem_...
  email: text("email").notNull().unique("members_email_key"),
  name: text("name"),
  /** scrypt hash (server/services/auth/password.ts); null for OAuth-only members. */
  passwordHash: text("password_hash"),
  /**
   * When the member proved they hold the mailbox: by the link sent at sign-up, or by a
   * provider-verified OAuth sign-in. Null until then: no invitations, never an OAuth link target.
   */
  emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
  /** In every session's JWT; bumping it signs out every earlier session on its next request. */
  sessionVersion: integer("session_version").notNull().default(0),
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
