import type { Db, Queryable } from "@/db/client";

/** Who is acting: a signed-in member, an API key, or the system itself (jobs, start-up). */
export type Actor = { type: "member"; id: string } | { type: "api_key"; id: string } | { type: "system"; id: null };

/** What every workspace-scoped service receives. Every query it runs filters by workspaceId. */
export interface ServiceCtx {
  db: Db;
  workspaceId: string;
  actor: Actor;
}

export const SYSTEM: Actor = { type: "system", id: null };

/** Run `fn` in a transaction; services that write call this once at their top. */
export function withTransaction<T>(ctx: { db: Db }, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return ctx.db.transaction((tx) => fn(tx));
}
