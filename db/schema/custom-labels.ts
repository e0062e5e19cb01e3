import { pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** The built-in intent labels; a workspace adds its own (custom_labels) beside them. */
export const BUILT_IN_LABELS = ["safe", "jailbreak", "tos_breach", "frustration", "win"] as const;

/** A workspace's own intent label: the LLM labeller reads its description; the built-in matcher its keywords. */
export const customLabels = pgTable(
  "custom_labels",
  {
    id: text("id").primaryKey(), // lbl_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** lower_snake_case, unique in the workspace, never a built-in label. */
    name: text("name").notNull(),
    description: text("description").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("custom_labels_workspace_id_name_idx").on(t.workspaceId, t.name)],
);
