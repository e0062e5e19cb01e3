import { sql } from "drizzle-orm";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { AUDIT_SELECT, type AuditRow, auditWhere, type TAuditFilters, toAuditLog, ZAuditFilters } from "./list-audit-logs";

export const MAX_EXPORT_AUDIT_LOGS = 100_000;

const HEADER = "time,id,actor_type,actor_id,actor_label,action,target_type,target_id,data";

/**
 * One CSV cell: quoted when it holds a comma, quote or line break, and a leading = + - @ made
 * text so a spreadsheet does not run it as a formula (audit data holds what people typed).
 */
function cell(value: string | null | undefined): string {
  if (value === null || value === undefined) return "";
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The filtered audit log as CSV, newest first; `data` as one JSON cell, secrets redacted like the API. */
export async function exportAuditLogsCsv({ ctx, input }: { ctx: ServiceCtx; input: TAuditFilters }) {
  const f = ZAuditFilters.parse(input);
  const rows = resultRows<AuditRow>(
    await ctx.db.execute(sql`${AUDIT_SELECT} where ${auditWhere(ctx, f)}
      order by a.created_at desc, a.id desc limit ${MAX_EXPORT_AUDIT_LOGS}`),
  );
  const lines = rows
    .map(toAuditLog)
    .map((r) =>
      [
        r.at,
        r.id,
        r.actor.type,
        cell(r.actor.id),
        cell(r.actor.label),
        cell(r.action),
        cell(r.targetType),
        cell(r.targetId),
        cell(r.data === null ? null : JSON.stringify(r.data)),
      ].join(","),
    );
  return `${[HEADER, ...lines].join("\n")}\n`;
}
