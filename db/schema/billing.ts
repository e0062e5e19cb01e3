import { bigint, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** Tracked requests (2xx answers of /sdk/*) per workspace and UTC hour: the billable count. */
export const requestCounters = pgTable(
  "request_counters",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    count: bigint("count", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.hour], name: "request_counters_pkey" })],
);

/** What was reported to the Stripe meter, per workspace and completed hour: never twice. */
export const meterReports = pgTable(
  "meter_reports",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    quantity: bigint("quantity", { mode: "number" }).notNull(),
    /** The meter event identifier: deterministic, so Stripe drops a repeat too. */
    identifier: text("identifier").notNull(),
    reportedAt: timestamp("reported_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.hour], name: "meter_reports_pkey" })],
);

/** Stripe webhook events already handled: each is acted on once. */
export const stripeEvents = pgTable("stripe_events", {
  id: text("id").primaryKey(), // evt_... (Stripe's)
  type: text("type").notNull(),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
});
