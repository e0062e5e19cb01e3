import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** `admin`: members, invitations, billing (an owner or admin mints it; it acts with its member's role). */
export const API_KEY_SCOPES = ["sdk", "read", "write", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Workspace API keys. Only the SHA-256 of the key is stored; it is shown once. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(), // key_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The first characters of the key, shown in lists ("ug_Ab3d…"). */
    start: text("start").notNull(),
    hash: text("hash").notNull().unique("api_keys_hash_key"),
    scopes: text("scopes").array().$type<ApiKeyScope[]>().notNull(),
    /**
     * The member the key answers to: its creator, or the member behind the key that created it
     * (removing or demoting that member revokes it). Null for the start-up key.
     */
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("api_keys_workspace_id_idx").on(t.workspaceId)],
);
