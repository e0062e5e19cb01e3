import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { redactAuditData } from "./redact";

export const AUDIT_ACTOR_TYPES = ["member", "api_key", "system"] as const;

const ZText = z.string().trim().min(1).max(256);

/** One action (`rule.create`), or every action of a kind (`rule.*`). */
const ZAction = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+(\.\*)?$/, "an action such as rule.create, or rule.* for every rule action");

export const ZAuditCursor = z.string().regex(/^aud_[0-9a-z]{26}$/, "not an audit log cursor");

/** The filters of the audit log page, its CSV and GET /api/v1/audit-logs. Strict: a misspelt filter is a 400, not a silent no-op. */
export const ZAuditFilters = z.strictObject({
  action: ZAction.optional(),
  actorType: z.enum(AUDIT_ACTOR_TYPES).optional(),
  actorId: ZText.optional(),
  targetType: ZText.optional(),
  targetId: ZText.optional(),
  /** From this instant (inclusive) … */
  from: z.coerce.date().optional(),
  /** … to this one (exclusive). */
  to: z.coerce.date().optional(),
});
export type TAuditFilters = z.input<typeof ZAuditFilters>;

export const ZListAuditLogs = ZAuditFilters.extend({
  /** The last id of the previous page: the next page starts just after it (newest first). */
  cursor: ZAuditCursor.nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type TListAuditLogs = z.input<typeof ZListAuditLogs>;

export type AuditRow = {
  id: string;
  created_at: string | Date;
  actor_type: (typeof AUDIT_ACTOR_TYPES)[number];
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  data: Record<string, unknown> | string | null;
  member_email: string | null;
  key_name: string | null;
  key_start: string | null;
};

/**
 * The row with who did it, as people read it: a member's e-mail, an API key's name and first
 * characters, or "system" for automations and jobs. Members and keys are read with plain joins:
 * the audit domain sits below every other service.
 */
export const AUDIT_SELECT = sql`select a.id, a.created_at, a.actor_type, a.actor_id, a.action, a.target_type, a.target_id, a.data,
    m.email as member_email, k.name as key_name, k.start as key_start
  from audit_logs a
  left join members m on a.actor_type = 'member' and m.id = a.actor_id
  left join api_keys k on a.actor_type = 'api_key' and k.id = a.actor_id and k.workspace_id = a.workspace_id`;

function actorLabel(r: AuditRow): string {
  if (r.actor_type === "system") return "system";
  if (r.actor_type === "member") return r.member_email ?? r.actor_id ?? "unknown member";
  return r.key_name ? `${r.key_name} (${r.key_start}…)` : (r.actor_id ?? "unknown key");
}

export function toAuditLog(r: AuditRow) {
  const data = typeof r.data === "string" ? (JSON.parse(r.data) as Record<string, unknown>) : r.data;
  return {
    id: r.id,
    at: new Date(r.created_at).toISOString(),
    actor: { type: r.actor_type, id: r.actor_id, label: actorLabel(r) },
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    data: redactAuditData(data ?? null),
  };
}
export type TAuditLog = ReturnType<typeof toAuditLog>;

/** The WHERE clause of a filtered audit query, always scoped to the caller's workspace. */
export function auditWhere(ctx: ServiceCtx, f: z.output<typeof ZAuditFilters>): SQL {
  if (f.from && f.to && f.to <= f.from) throw new InvalidInputError("to must be after from");
  const parts: SQL[] = [sql`a.workspace_id = ${ctx.workspaceId}`];
  if (f.action?.endsWith(".*")) {
    const prefix = f.action.slice(0, -1); // "rule."
    parts.push(sql`left(a.action, ${prefix.length}) = ${prefix}`);
  } else if (f.action) parts.push(sql`a.action = ${f.action}`);
  if (f.actorType) parts.push(sql`a.actor_type = ${f.actorType}`);
  if (f.actorId) parts.push(sql`a.actor_id = ${f.actorId}`);
  if (f.targetType) parts.push(sql`a.target_type = ${f.targetType}`);
  if (f.targetId) parts.push(sql`a.target_id = ${f.targetId}`);
  if (f.from) parts.push(sql`a.created_at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) parts.push(sql`a.created_at < ${f.to.toISOString()}::timestamptz`);
  return sql.join(parts, sql` and `);
}

/**
 * The audit log, newest first, one keyset page at a time. Rows are ordered by (created_at, id):
 * the workspace's (workspace_id, created_at) index serves the order and the date filters, and
 * the id breaks ties (rows of one transaction share its start time) in the order they were written.
 */
export async function listAuditLogs({ ctx, input }: { ctx: ServiceCtx; input: TListAuditLogs }) {
  const q = ZListAuditLogs.parse(input);
  const after = q.cursor
    ? sql`and (a.created_at, a.id) < (select c.created_at, c.id from audit_logs c where c.workspace_id = ${ctx.workspaceId} and c.id = ${q.cursor})`
    : sql``;
  const rows = resultRows<AuditRow>(
    await ctx.db.execute(sql`${AUDIT_SELECT} where ${auditWhere(ctx, q)} ${after}
      order by a.created_at desc, a.id desc limit ${q.limit + 1}`),
  );
  const page = rows.slice(0, q.limit).map(toAuditLog);
  return { data: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
}

/** What the page's filters offer: the actions, target types and actors this workspace's log holds. */
export async function auditLogFacets({ ctx }: { ctx: ServiceCtx }) {
  const ws = ctx.workspaceId;
  const [actions, targetTypes, actors] = await Promise.all([
    ctx.db.execute(sql`select distinct action from audit_logs where workspace_id = ${ws} order by action limit 500`),
    ctx.db.execute(sql`select distinct target_type from audit_logs
      where workspace_id = ${ws} and target_type is not null order by target_type limit 200`),
    ctx.db.execute(sql`select distinct a.actor_type, a.actor_id, m.email as member_email, k.name as key_name, k.start as key_start
      from audit_logs a
      left join members m on a.actor_type = 'member' and m.id = a.actor_id
      left join api_keys k on a.actor_type = 'api_key' and k.id = a.actor_id and k.workspace_id = a.workspace_id
      where a.workspace_id = ${ws} limit 500`),
  ]);
  return {
    actions: resultRows<{ action: string }>(actions).map((r) => r.action),
    targetTypes: resultRows<{ target_type: string }>(targetTypes).map((r) => r.target_type),
    actors: resultRows<AuditRow>(actors)
      .map((r) => ({ type: r.actor_type, id: r.actor_id, label: actorLabel(r) }))
      .sort((x, y) => x.label.localeCompare(y.label)),
  };
}
