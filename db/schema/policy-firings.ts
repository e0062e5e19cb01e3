import { boolean, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { labelPolicies, POLICY_ACTIONS } from "./label-policies";
import { workspaces } from "./workspaces";

/**
 * A label policy fired for an end user: what it did and until when. While one is active
 * (expires_at in the future) the policy does not fire again for that user; active throttle
 * and require_reauth rows are what /sdk/check enforces (cached per workspace). A block also
 * has its blocklist entry; an alert's row only stops repeats within the policy's window.
 */
export const policyFirings = pgTable(
  "policy_firings",
  {
    id: text("id").primaryKey(), // pfi_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    policyId: text("policy_id")
      .notNull()
      .references(() => labelPolicies.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    action: text("action", { enum: POLICY_ACTIONS }).notNull(),
    label: text("label").notNull(),
    /** Labels counted in the window when it fired. */
    labelCount: integer("label_count").notNull(),
    ratePerMinute: integer("rate_per_minute"),
    /** The event whose label made it fire. */
    eventId: text("event_id").notNull(),
    blocklistId: text("blocklist_id"),
    /** A shadow policy's would-have firing: enforces nothing, sends nothing. */
    shadow: boolean("shadow").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("policy_firings_workspace_id_policy_id_user_id_idx").on(t.workspaceId, t.policyId, t.userId, t.expiresAt),
    index("policy_firings_workspace_id_expires_at_idx").on(t.workspaceId, t.expiresAt),
  ],
);
