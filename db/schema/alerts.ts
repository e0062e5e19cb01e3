import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { RULE_METRICS, RULE_SCOPES, RULE_WINDOWS } from "./rules";
import { workspaces } from "./workspaces";

export const CHANNEL_TYPES = ["email", "slack", "webhook"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Where alerts go: e-mail addresses, a Slack incoming webhook, or a signed webhook. */
export const alertChannels = pgTable(
  "alert_channels",
  {
    id: text("id").primaryKey(), // chn_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    type: text("type", { enum: CHANNEL_TYPES }).notNull(),
    name: text("name").notNull(),
    /** email: { to: string[] } · slack: { url } · webhook: { url, secret } */
    config: jsonb("config").$type<Record<string, unknown>>().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("alert_channels_workspace_id_idx").on(t.workspaceId)],
);

/**
 * A threshold alert: at percentages of a rule's limit (ruleId set), or at absolute values
 * of a metric over a window for a dimension (requests, tokens, or USD for cost_usd).
 */
export const alerts = pgTable(
  "alerts",
  {
    id: text("id").primaryKey(), // alr_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    ruleId: text("rule_id"),
    scope: text("scope", { enum: RULE_SCOPES }).notNull(),
    match: text("match"),
    metric: text("metric", { enum: RULE_METRICS }).notNull(),
    window: text("window", { enum: RULE_WINDOWS }).notNull(),
    /** Percent of the rule's limit when ruleId is set, else absolute values (nano-dollars for cost). */
    thresholds: jsonb("thresholds").$type<string[]>().notNull(),
    /** Channel ids; empty means every enabled channel of the workspace. */
    channelIds: text("channel_ids").array().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("alerts_workspace_id_idx").on(t.workspaceId)],
);

/** Every delivery attempt of an alert to a channel, with the receiver's answer. */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: text("id").primaryKey(), // dlv_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    channelId: text("channel_id").notNull(),
    /** What is being delivered: the outbox entry ("outbox:123") or "test:<id>". */
    deliveryKey: text("delivery_key").notNull(),
    /** sending: claimed by a worker (deliveredAt holds the claim time); skipped: refused at send time (plan), with the reason in error. */
    status: text("status", { enum: ["pending", "sending", "sent", "failed", "skipped"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    error: text("error"),
    payload: jsonb("payload").$type<Record<string, unknown>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("alert_deliveries_channel_id_delivery_key_idx").on(t.channelId, t.deliveryKey),
    index("alert_deliveries_workspace_id_created_at_idx").on(t.workspaceId, t.createdAt),
  ],
);
