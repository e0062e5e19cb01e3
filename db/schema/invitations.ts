import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { ROLES } from "./members";
import { workspaces } from "./workspaces";

/**
 * An invitation to join a workspace, sent as a link. Only the SHA-256 of the link's
 * token is stored; the link is shown once to the member who created it.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: text("id").primaryKey(), // inv_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** Lower-cased; only the member signed in with this e-mail can accept. */
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    tokenHash: text("token_hash").notNull().unique("invitations_token_hash_key"),
    invitedBy: text("invited_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: text("accepted_by"),
  },
  (t) => [index("invitations_workspace_id_created_at_idx").on(t.workspaceId, t.createdAt)],
);
