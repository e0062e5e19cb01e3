import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { log } from "@/server/lib/log";
import { processGlobal } from "@/server/lib/process-global";
import type { TCheckInput } from "@/server/contract/sdk";
import { priceCall } from "../core/pricing";
import { floorToHour } from "../core/time";
import type { Estimate } from "./estimate";
import { pgArray } from "./reserve";

/**
 * The would-have decisions of shadow rules, written behind: a check on which a shadow rule was
 * evaluated adds to this process's counters (per rule, end user and UTC hour) and never waits on
 * a statement; the counters are flushed in one coalesced multi-row upsert at most every
 * FLUSH_EVERY_MS, sooner when many keys are waiting.
 *
 * What a crash loses: the counts noted in the last ≤ FLUSH_EVERY_MS that were not flushed yet.
 * Shadow counts are an estimate of what a rule would have done, not committed data (no check's
 * answer, reservation or record depends on them), so they are not written in the check's path.
 */
export interface ShadowNote {
  workspaceId: string;
  /** rul_… (or pol_… for a label policy). */
  sourceId: string;
  userId: string;
  at: Date;
  wouldDeny: boolean;
  /** The call's estimated cost, counted when it would have been denied. */
  costNanos: bigint;
}

interface Pending {
  workspaceId: string;
  sourceId: string;
  bucket: string;
  userId: string;
  checks: number;
  wouldDeny: number;
  costNanos: bigint;
}

interface ShadowState {
  pending: Map<string, Pending>;
  timer: ReturnType<typeof setTimeout> | null;
  /** The flushes run one after another (each takes the rows' locks in the same key order). */
  chain: Promise<void>;
}

/** Flush at most this often (what a crash may lose). */
export const FLUSH_EVERY_MS = 1_000;
/** Flush at once when this many (rule, user, hour) keys are waiting. */
const FLUSH_AT_KEYS = 500;

const states = processGlobal("shadowStats", () => new WeakMap<object, ShadowState>());

function stateOf(db: Queryable): ShadowState {
  let state = states.get(db);
  if (!state) {
    state = { pending: new Map(), timer: null, chain: Promise.resolve() };
    states.set(db, state);
  }
  return state;
}

const NO_TOKENS = { input: 0, cachedInput: 0, cacheWrite: 0, output: 0, reasoning: 0, audioInput: 0, audioOutput: 0, total: 0 };

/**
 * The estimated cost of a call a shadow rule would have denied: the check's own estimate when
 * it priced the call (a cost rule applied), else its estimated input tokens at the model's
 * catalogue price (0 without a model). Only run for would-deny checks.
 */
export function shadowCostNanos(input: TCheckInput, estimate: Estimate, now: Date): bigint {
  if (estimate.costNanos > 0n || !input.model || estimate.tokens <= 0n) return estimate.costNanos;
  const tokens = Number(estimate.tokens);
  return priceCall({ model: input.model, tokens: { ...NO_TOKENS, input: tokens, total: tokens }, at: now }).costNanos;
}

/** Count these evaluations (no statement now: the next flush writes them). */
export function noteShadow(db: Queryable, notes: ShadowNote[]): void {
  if (notes.length === 0) return;
  const state = stateOf(db);
  for (const n of notes) {
    const bucket = floorToHour(n.at).toISOString();
    const key = `${n.workspaceId}\u001f${n.sourceId}\u001f${bucket}\u001f${n.userId}`;
    let p = state.pending.get(key);
    if (!p) {
      p = { workspaceId: n.workspaceId, sourceId: n.sourceId, bucket, userId: n.userId, checks: 0, wouldDeny: 0, costNanos: 0n };
      state.pending.set(key, p);
    }
    p.checks += 1;
    if (n.wouldDeny) {
      p.wouldDeny += 1;
      p.costNanos += n.costNanos;
    }
  }
  if (state.pending.size >= FLUSH_AT_KEYS) flush(db, state);
  else if (!state.timer) {
    state.timer = setTimeout(() => flush(db, state), FLUSH_EVERY_MS);
    state.timer.unref?.();
  }
}

/** Write what is waiting now and resolve once every flush so far has settled (reads of shadow_stats call it first). */
export async function shadowStatsWritten(db: Queryable): Promise<void> {
  const state = states.get(db);
  if (!state) return;
  if (state.pending.size > 0) flush(db, state);
  await state.chain;
}

function flush(db: Queryable, state: ShadowState): Promise<void> {
  if (state.timer) {
    clearTimeout(state.timer);
    state.timer = null;
  }
  const rows = [...state.pending.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
  state.pending = new Map();
  if (rows.length === 0) return state.chain;
  state.chain = state.chain.then(async () => {
    try {
      await writeRows(db, rows);
    } catch {
      try {
        // A deadlock or a dropped connection: once more, then the counts are dropped (an estimate).
        await writeRows(db, rows);
      } catch (err) {
        log.error("shadow counts lost: their write failed twice", { rows: rows.length, err });
      }
    }
  });
  return state.chain;
}

async function writeRows(db: Queryable, rows: Pending[]) {
  const col = <T>(f: (p: Pending) => T) => rows.map(f);
  await db.execute(sql`insert into shadow_stats (workspace_id, source_id, bucket, user_id, checks, would_deny, would_deny_cost_nanos)
    select * from unnest(${pgArray(col((p) => p.workspaceId))}::text[], ${pgArray(col((p) => p.sourceId))}::text[],
      ${pgArray(col((p) => p.bucket))}::timestamptz[], ${pgArray(col((p) => p.userId))}::text[],
      ${pgArray(col((p) => String(p.checks)))}::bigint[], ${pgArray(col((p) => String(p.wouldDeny)))}::bigint[],
      ${pgArray(col((p) => p.costNanos.toString()))}::bigint[]) as u(ws, source, bucket, user_id, checks, would_deny, cost)
    -- A workspace deleted meanwhile takes its counts with it (no foreign-key failure for the batch).
    where exists (select 1 from workspaces w where w.id = u.ws)
    on conflict (workspace_id, source_id, bucket, user_id) do update set
      checks = shadow_stats.checks + excluded.checks,
      would_deny = shadow_stats.would_deny + excluded.would_deny,
      would_deny_cost_nanos = shadow_stats.would_deny_cost_nanos + excluded.would_deny_cost_nanos`);
}
