import { bigint, boolean, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const RULE_SCOPES = ["user", "org", "feature", "tier", "workspace"] as const;
export const RULE_METRICS = ["requests", "tokens", "cost_usd"] as const;
export const RULE_WINDOWS = ["minute", "hour", "day", "calendar_day", "calendar_month"] as const;
export type RuleScope = (typeof RULE_SCOPES)[number];
export type RuleMetric = (typeof RULE_METRICS)[number];
export type RuleWindow = (typeof RULE_WINDOWS)[number];
/** enforce: the rule decides; shadow: evaluated on every check, its would-have decisions counted (shadow_stats), the answer unchanged. */
export const RULE_MODES = ["enforce", "shadow"] as const;
export type RuleMode = (typeof RULE_MODES)[number];

/** Which calls a rule applies to; every key given must match the call (model case-insensitively). */
export interface RuleFilters {
  tier?: string;
  feature?: string;
  model?: string;
  orgId?: string;
  /** The end user is a member of this segment (seg_...): who the rule applies to, not which calls count. */
  segment?: string;
}

/** A limit evaluated by /sdk/check. */
export const rules = pgTable(
  "rules",
  {
    id: text("id").primaryKey(), // rul_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    scope: text("scope", { enum: RULE_SCOPES }).notNull(),
    /** The one userId / orgId / feature / tier; null with scope user/org = each one separately. */
    match: text("match"),
    /** Only calls matching every filter count and are limited; `scope` still says who counts. Null: every call. */
    filters: jsonb("filters").$type<RuleFilters>(),
    metric: text("metric", { enum: RULE_METRICS }).notNull(),
    window: text("window", { enum: RULE_WINDOWS }).notNull(),
    /** requests or tokens; for cost_usd, nano-dollars. */
    limitValue: bigint("limit_value", { mode: "bigint" }).notNull(),
    /** block | alert | require_reauth | downgrade_model:<model> | set_tier:<tier> */
    action: text("action").notNull(),
    mode: text("mode", { enum: RULE_MODES }).notNull().default("enforce"),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("rules_workspace_id_idx").on(t.workspaceId)],
);
