import { and, eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { payloadLogs, workspaces } from "@/db/schema";
import type { TLogInput, TLogResult } from "@/server/contract/sdk";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { NotFoundError } from "../errors";
import { assertQuota } from "../billing/tracked-requests";
import { redactPayloadInTurns } from "@/server/lib/redact";

/**
 * POST /sdk/log: keep a full request/response pair, only when the workspace opted in. It
 * describes a call already counted, so it is never a tracked request; past the Free plan's cap
 * it is refused (402) like a record.
 */
export async function logPayload({ ctx, input }: { ctx: ServiceCtx; input: TLogInput }): Promise<TLogResult> {
  await assertQuota(ctx.db, ctx.workspaceId);
  const [workspace] = await ctx.db
    .select({ payloadLogging: workspaces.payloadLogging, redactPayloads: workspaces.redactPayloads })
    .from(workspaces)
    .where(eq(workspaces.id, ctx.workspaceId))
    .limit(1);
  if (!workspace) throw new NotFoundError("Workspace not found");
  if (!workspace.payloadLogging) return { logged: false, reason: "payload_logging_disabled" };
  const id = await storePayload(ctx.db, ctx.workspaceId, workspace.redactPayloads, {
    requestId: input.requestId ?? newId("req"),
    userId: input.userId ?? null,
    feature: input.feature ?? null,
    source: "log",
    request: input.request ?? null,
    response: input.response ?? null,
    metadata: input.metadata ?? null,
  });
  return { logged: true, id };
}

/** Insert a payload once per (requestId, source); a retry returns the first row's id. */
export async function storePayload(
  db: Queryable,
  workspaceId: string,
  redact: boolean,
  p: {
    requestId: string;
    userId: string | null;
    feature: string | null;
    source: "log" | "record";
    request: unknown;
    response: unknown;
    metadata: Record<string, unknown> | null;
  },
): Promise<string> {
  // Redaction covers metadata too: callers put user ids, e-mails and headers there.
  const stored = redact ? await redactPayloadInTurns(p) : p;
  const [row] = await db
    .insert(payloadLogs)
    .values({
      id: newId("log"),
      workspaceId,
      requestId: p.requestId,
      userId: p.userId,
      feature: p.feature,
      source: p.source,
      request: stored.request,
      response: stored.response,
      metadata: stored.metadata,
    })
    .onConflictDoNothing()
    .returning({ id: payloadLogs.id });
  if (row) return row.id;
  const [existing] = await db
    .select({ id: payloadLogs.id })
    .from(payloadLogs)
    .where(and(eq(payloadLogs.workspaceId, workspaceId), eq(payloadLogs.requestId, p.requestId), eq(payloadLogs.source, p.source)))
    .limit(1);
  return existing!.id;
}
