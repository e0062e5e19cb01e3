import { boolean, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { RULE_MODES } from "./rules";
import { workspaces } from "./workspaces";

export const POLICY_ACTIONS = ["block", "throttle", "require_reauth", "alert"] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];
/**
 * record: labels of recorded calls count (after labelling); check: the check's own input label
 * counts at once; content: the check's reading of the call's tool results and retrieved content
 * (`contentLabels`), which refuses or reports that call and never counts against the end user.
 */
export const POLICY_STAGES = ["record", "check", "content"] as const;
export type PolicyStage = (typeof POLICY_STAGES)[number];

/**
 * "When an end user gets `label` at least `min_count` times within `window_seconds`, then
 * block / throttle to `rate_per_minute` / require re-auth for `duration_seconds`, or alert."
 * Evaluated by the labeller right after it writes labels.
 */
export const labelPolicies = pgTable(
  "label_policies",
  {
    id: text("id").primaryKey(), // pol_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    label: text("label").notNull(),
    minCount: integer("min_count").notNull(),
    windowSeconds: integer("window_seconds").notNull(),
    action: text("action", { enum: POLICY_ACTIONS }).notNull(),
    stage: text("stage", { enum: POLICY_STAGES }).notNull().default("record"),
    /** How long a block, throttle or re-auth lasts; null for alert. */
    durationSeconds: integer("duration_seconds"),
    /** Throttle only: requests per minute allowed while it lasts. */
    ratePerMinute: integer("rate_per_minute"),
    /** Only end users in this segment (seg_...) are acted on; null: everyone. */
    filters: jsonb("filters").$type<{ segment?: string }>(),
    /** shadow: firings are recorded (policy_firings.shadow) but nothing is blocked, throttled or sent. */
    mode: text("mode", { enum: RULE_MODES }).notNull().default("enforce"),
    enabled: boolean("enabled").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("label_policies_workspace_id_idx").on(t.workspaceId)],
);
