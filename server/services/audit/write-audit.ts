import { auditLogs } from "@/db/schema";
import type { Queryable } from "@/db/client";
import { newId } from "@/server/lib/ids";
import type { Actor } from "../context";
import { redactAuditData } from "./redact";

/** Write one audit row; called inside the mutation's own transaction. Secrets in `data` are redacted (redact.ts). */
export async function writeAudit(
  tx: Queryable,
  entry: {
    workspaceId: string;
    actor: Actor;
    action: string;
    targetType?: string;
    targetId?: string;
    data?: Record<string, unknown>;
  },
) {
  await tx.insert(auditLogs).values({
    id: newId("aud"),
    workspaceId: entry.workspaceId,
    actorType: entry.actor.type,
    actorId: entry.actor.id,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    data: redactAuditData(entry.data),
  });
}
