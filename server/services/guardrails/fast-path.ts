import { sql } from "drizzle-orm";
import { executePrepared, type Queryable } from "@/db/client";
import type { RuleWindow } from "@/db/schema";
import { coalescer } from "@/server/lib/coalesce";
import { log } from "@/server/lib/log";
import { processGlobal } from "@/server/lib/process-global";
import { type SubjectUsage, type UsageRow, usageOfRow, usageWindow } from "./read-usage";
import { pgArray, reserveMany, type ReservationSpec } from "./reserve";
import type { Subject } from "./rule-subject";
import { beginWrite, endWrite, mirrorIsExact, noteReservation } from "./usage-mirror";

/**
 * The check's fast path, for subjects far from every blocking limit (check-access.ts):
 *
 * - reads are coalesced: the checks that arrive while one read is in flight are answered by the
 *   next single statement, so at 50 concurrent checks the database sees about one statement per
 *   batch instead of one per check;
 * - the reservation is written behind: the check answers at once and its reservation goes into
 *   the next multi-row insert (counters summed per subject and minute first);
 * - until that insert commits, the reservation is counted from this process's memory: every read
 *   adds the reservations this process admitted that the read's snapshot cannot contain. So one
 *   process never loses sight of its own admissions; only calls admitted by *other* processes in
 *   the few milliseconds before their write-behind commits are unseen (README, "How exact limits are").
 */
interface Admission {
  requests: bigint;
  tokens: bigint;
  costNanos: bigint;
  /** The commit tick of its write-behind; null while it is queued or in flight. */
  committed: number | null;
}

interface FastPathState {
  /** Bumped by every write-behind commit: a read sent at tick T sees the admissions committed at or before T. */
  tick: number;
  /** Admissions not yet known to be in every later read's snapshot, by "<workspace>\u001f<subject>". */
  admitted: Map<string, Set<Admission>>;
  reads: ReturnType<typeof coalescer<UsageRead, SubjectUsage[]>>;
  writes: ReturnType<typeof coalescer<ReservationSpec, { tick: number; seq: number }>>;
  /** Write-behinds not yet settled (a record in this process waits for them: its check must be found). */
  unsettled: Set<Promise<void>>;
}

interface UsageRead {
  workspaceId: string;
  subjects: Array<Subject & { window: RuleWindow }>;
  now: Date;
}

/**
 * How long a write-behind batch may wait to fill (a record of this process never waits for it: it
 * asks for the batch at once). PGlite runs statements on this thread, so nothing arrives while one
 * runs. On Postgres, without a wait, each reservation of a process with few checks in flight was a
 * statement of its own: at one connection 0.34–0.61 ms of database CPU per check, 0.18–0.21 ms with
 * 5 ms, and 1.55–2.91 → 1.42–1.65 ms of server CPU (issue #19, `npm run bench -- check`, interleaved).
 * Other processes see a far check's reservation up to these milliseconds later (README, "How exact
 * limits are"); near a limit, checks write nothing behind.
 */
const WRITE_BEHIND_DELAY_MS = { pglite: 20, postgres: 5 };

const states = processGlobal("checkFastPath", () => new WeakMap<object, FastPathState>());

function stateOf(db: Queryable): FastPathState {
  let state = states.get(db);
  if (!state) {
    const s: FastPathState = {
      tick: 0,
      admitted: new Map(),
      reads: coalescer((batch: UsageRead[]) => readBatch(db, s, batch)),
      writes: coalescer((batch: ReservationSpec[]) => writeBatch(db, s, batch), {
        delayMs: mirrorIsExact(db) ? WRITE_BEHIND_DELAY_MS.pglite : WRITE_BEHIND_DELAY_MS.postgres,
      }),
      unsettled: new Set(),
    };
    state = s;
    states.set(db, state);
  }
  return state;
}

const admissionKey = (workspaceId: string, subject: string) => `${workspaceId}\u001f${subject}`;

/**
 * Usage of each (subject, window): rollups plus open reservations, as `readUsage` reads them,
 * plus this process's admissions that the statement's snapshot may not hold yet. Concurrent
 * callers share one statement.
 */
export function readUsageFast(
  db: Queryable,
  workspaceId: string,
  subjects: Array<Subject & { window: RuleWindow }>,
  now: Date,
): Promise<SubjectUsage[]> {
  return stateOf(db).reads.submit({ workspaceId, subjects, now });
}

/**
 * Keep an allowed check without waiting for the database: counted in this process at once, written
 * with the next batch. A write that fails twice is logged and dropped: the check's record then
 * settles nothing (and the call is counted by its record alone).
 */
export function reserveBehind(db: Queryable, spec: ReservationSpec): void {
  const state = stateOf(db);
  const mine: Array<[string, Admission]> = spec.subjects.map((subject) => [
    admissionKey(spec.workspaceId, subject),
    { requests: 1n, tokens: spec.estimate.tokens, costNanos: spec.estimate.costNanos, committed: null },
  ]);
  for (const [key, admission] of mine) {
    const set = state.admitted.get(key);
    if (set) set.add(admission);
    else state.admitted.set(key, new Set([admission]));
  }
  const mirrored = noteReservation(db, spec);
  const write = state.writes.submit(spec).then(
    ({ tick, seq }) => {
      // Every read sent from now on sees it; a read in flight may not, and prunes it when done.
      for (const [key, admission] of mine) {
        if (state.reads.busy()) admission.committed = tick;
        else dropAdmission(state, key, admission);
      }
      mirrored.sent(seq);
    },
    (err) => {
      for (const [key, admission] of mine) dropAdmission(state, key, admission);
      mirrored.drop();
      log.error("check reservation lost: its write-behind failed twice", { checkId: spec.id, err });
    },
  );
  state.unsettled.add(write);
  void write.finally(() => state.unsettled.delete(write));
}

/** Coalesced reads run so far on this database (tests: a check answered from memory runs none). */
export function readBatches(db: Queryable): number {
  return states.get(db)?.reads.batches() ?? 0;
}

/** Resolves once every reservation written behind so far is committed (or given up). */
export async function reservationsWritten(db: Queryable): Promise<void> {
  const state = states.get(db);
  if (!state?.unsettled.size) return;
  state.writes.flushNow();
  await Promise.allSettled([...state.unsettled]);
}

/** One multi-row write; answers each reservation with the tick of its commit. */
async function writeBatch(db: Queryable, state: FastPathState, batch: ReservationSpec[]): Promise<Array<{ tick: number; seq: number }>> {
  let seq = beginWrite(db);
  try {
    await reserveMany(db, batch);
  } catch {
    // A deadlock or a dropped connection: once more, then the caller logs.
    endWrite(db, seq);
    seq = beginWrite(db);
    await reserveMany(db, batch);
  } finally {
    endWrite(db, seq);
  }
  const tick = ++state.tick;
  return batch.map(() => ({ tick, seq }));
}

async function readBatch(db: Queryable, state: FastPathState, batch: UsageRead[]): Promise<SubjectUsage[][]> {
  const flat = batch.flatMap((r) =>
    r.subjects.map((s) => ({ workspaceId: r.workspaceId, dimension: s.dimension, key: s.key, ...usageWindow(s.window, r.now) })),
  );
  const sentAt = state.tick;
  const rows = flat.length
    ? await executePrepared<UsageRow & { i: string }>(
        db,
        sql`select q.i::text as i, coalesce(r.requests, 0)::text as requests, coalesce(r.tokens, 0)::text as tokens,
            coalesce(r.cost, 0)::text as cost, r.oldest, coalesce(c.requests, 0)::text as rsv_requests,
            coalesce(c.tokens, 0)::text as rsv_tokens, coalesce(c.cost, 0)::text as rsv_cost
          from unnest(${pgArray(flat.map((f) => f.workspaceId))}::text[], ${pgArray(flat.map((f) => f.dimension))}::text[],
            ${pgArray(flat.map((f) => f.key))}::text[], ${pgArray(flat.map((f) => f.start))}::timestamptz[],
            ${pgArray(flat.map((f) => f.reservedFrom))}::timestamptz[]) with ordinality as q(ws, dim, key, from_at, reserved_from, i)
          left join lateral (
            select sum(requests) as requests, sum(total_tokens) as tokens, sum(cost_nanos) as cost, min(bucket) as oldest
            from usage_rollups where workspace_id = q.ws and dimension = q.dim and key = q.key and bucket >= q.from_at) r on true
          left join lateral (
            select sum(requests) as requests, sum(tokens) as tokens, sum(cost_nanos) as cost
            from reservation_counters
            where workspace_id = q.ws and subject = q.dim || ':' || q.key and bucket >= q.reserved_from) c on true`,
      )
    : [];
  const byIndex = new Map(rows.map((r) => [Number(r.i) - 1, r]));
  let offset = 0;
  const answers = batch.map((r) =>
    r.subjects.map((s) => {
      const usage = usageOfRow(byIndex.get(offset++)!);
      // What this process admitted and the snapshot may lack: queued, in flight, or committed after it was taken.
      for (const a of state.admitted.get(admissionKey(r.workspaceId, `${s.dimension}:${s.key}`)) ?? []) {
        if (a.committed !== null && a.committed <= sentAt) continue;
        usage.requests += a.requests;
        usage.tokens += a.tokens;
        usage.costNanos += a.costNanos;
      }
      return usage;
    }),
  );
  // Reads run one at a time: every later read is sent at a tick ≥ now, and sees the committed ones.
  for (const [key, set] of state.admitted) {
    for (const a of set) if (a.committed !== null) set.delete(a);
    if (set.size === 0) state.admitted.delete(key);
  }
  return answers;
}

function dropAdmission(state: FastPathState, key: string, admission: Admission) {
  const set = state.admitted.get(key);
  set?.delete(admission);
  if (set?.size === 0) state.admitted.delete(key);
}
