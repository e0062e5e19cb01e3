import { index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * Who belongs to a segment: every field given must hold (an empty filter is every end user).
 * Windows ("within N days") count back from now, in UTC.
 */
export interface SegmentFilter {
  tier?: string;
  orgId?: string;
  /** Used this feature (any call, ever; with costWithinDays, within that window). */
  feature?: string;
  /** Earned any of these intent labels within `labelWithinDays` (default 30). */
  labels?: string[];
  labelWithinDays?: number;
  /** Spend over the last `costWithinDays` (default 30) days, inclusive bounds, USD. */
  minCostUsd?: number;
  maxCostUsd?: number;
  costWithinDays?: number;
  /** Made a call within the last N days. */
  activeWithinDays?: number;
  /** First seen at or after / before (exclusive) this instant. */
  firstSeenAfter?: string;
  firstSeenBefore?: string;
  /** Blocked right now (themselves or through their org), or not. */
  blocked?: boolean;
}

/** A saved filter over a workspace's end users. */
export const segments = pgTable(
  "segments",
  {
    id: text("id").primaryKey(), // seg_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    filter: jsonb("filter").$type<SegmentFilter>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("segments_workspace_id_name_idx").on(t.workspaceId, t.name)],
);

/**
 * The members of the segments a rule or label policy targets, as of `refreshed_at` of the
 * segment: the check path reads them from memory (no query per check); a job refreshes them
 * every minute and whenever the segment changes (services/segments/refresh-members.ts).
 */
export const segmentMembers = pgTable(
  "segment_members",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    segmentId: text("segment_id")
      .notNull()
      .references(() => segments.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.segmentId, t.userId], name: "segment_members_pkey" }),
    index("segment_members_segment_id_idx").on(t.segmentId),
  ],
);
