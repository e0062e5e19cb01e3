import { type SQL, sql } from "drizzle-orm";
import { resultRows, type Queryable } from "@/db/client";
import type { Dimension, RuleWindow } from "@/db/schema";
import { log } from "@/server/lib/log";
import { processGlobal } from "@/server/lib/process-global";
import { yieldToEventLoop } from "@/server/lib/yield";
import { floorMs, floorToMinute, MINUTE_MS } from "../core/time";
import { windowStart, windowStartMs } from "../core/windows";
import type { SubjectUsage } from "./read-usage";
import { pgArray, RESERVATION_TTL_MS } from "./reserve";
import type { Subject } from "./rule-subject";

/**
 * A per-process mirror of one workspace's counters, so that a check far from every limit is
 * decided from memory, with no statement at all (check-access.ts).
 *
 * Loaded in one go (per rule dimension and window: each key's sum and its oldest bucket; the open
 * reservations per subject and minute), then kept current by this process's own writes (checks'
 * reservations, records, settlements) and refreshed in the background (`reloadMs`). Another
 * process's writes are seen at the next refresh: that is the staleness the README's overshoot bound
 * names. A refresh reads only what changed (loadChanges): the keys whose rollup rows a transaction
 * wrote since the last load's snapshot (`xmin`), the keys whose oldest bucket has left a rolling
 * window, and the reservation counters written since; a full load every `fullReloadMs`, when the
 * groups change or a calendar window resets. A value the mirror cannot give exactly is not given
 * (the check reads the database):
 * a key with a bucket that has aged out of its rolling window since the load, a calendar window
 * that has reset, rules that changed, a mirror older than `maxAgeMs` or one too large to keep.
 */
export const MIRROR = {
  /**
   * Postgres: other processes write too, reload every second. PGlite: this process is the only
   * writer, so the mirror stays exact with its own writes: it is reloaded only when a rolling
   * window has dropped a bucket a check needed (at most every `agedMs`), or after `pglite`.
   * A PGlite reload runs on this thread (200–400 ms for 10,000 end users): each one is a stall.
   */
  reloadMs: { postgres: 1_000, pglite: 60_000, agedMs: 5_000 },
  /** A refresh reads only the changes (loadChanges), and a full load comes at least this often. */
  fullReloadMs: 60_000,
  /** A workspace whose own writes since its snapshot pass this many is reloaded (memory: a few MB). */
  maxDeltas: 100_000,
  maxAgeFactor: 3,
  /** Past this many keys a workspace is not mirrored (its checks read the database). */
  maxKeys: 250_000,
  /** Past this many keys over all of a process's mirrors, the least recently used are dropped. */
  maxKeysPerProcess: 1_000_000,
  /** How long a workspace too large to mirror is left alone before trying again. */
  retryTooLargeMs: 5 * 60_000,
};

/** Rows of a reload turned into the snapshot per turn of the event loop. */
const LOAD_ROWS_PER_TURN = 5_000;

interface Sums {
  requests: bigint;
  tokens: bigint;
  costNanos: bigint;
}

interface Group {
  window: RuleWindow;
  /** windowStart(window, load time). */
  from: number;
  byKey: Map<string, Sums & { oldest: number }>;
}

interface Snapshot {
  /** The write sequence when the load was sent: writes sent before it are in it. */
  seq: number;
  /** Writes in flight when the load was sent (Postgres: may or may not be in it; counted again). */
  inFlight: Set<number>;
  loadedAt: number;
  /** When the last full load (not only its changes) was read. */
  fullAt: number;
  /**
   * The oldest transaction the load's statement could not see (pg_snapshot_xmin, as a 32-bit xid):
   * every row written since has an xmin at or after it, so the next refresh reads those rows only.
   */
  xid: string;
  groups: Map<string, Group>;
  /** Open reservations per "<dimension>:<key>": per minute bucket. */
  reserved: Map<string, Array<{ bucket: number } & Sums>>;
}

interface Delta extends Sums {
  seq: number;
  bucket: number;
  kind: "rollup" | "reservation";
}

/** One subject's deltas, and their sums per (kind, minute): what a lookup reads. */
interface SubjectDeltas {
  list: Delta[];
  sums: Map<string, { kind: Delta["kind"]; bucket: number } & Sums>;
}

function addDelta(m: WorkspaceMirror, subject: string, d: Delta, sign: 1n | -1n = 1n) {
  let entry = m.deltas.get(subject);
  if (!entry) {
    entry = { list: [], sums: new Map() };
    m.deltas.set(subject, entry);
  }
  if (sign === 1n) {
    entry.list.push(d);
    m.deltaCount++;
  } else {
    const before = entry.list.length;
    entry.list = entry.list.filter((x) => x !== d);
    m.deltaCount -= before - entry.list.length;
  }
  const key = `${d.kind}|${d.bucket}`;
  const sum = entry.sums.get(key) ?? { kind: d.kind, bucket: d.bucket, requests: 0n, tokens: 0n, costNanos: 0n };
  sum.requests += sign * d.requests;
  sum.tokens += sign * d.tokens;
  sum.costNanos += sign * d.costNanos;
  entry.sums.set(key, sum);
  if (entry.list.length === 0) m.deltas.delete(subject);
}

interface WorkspaceMirror {
  /** Keys its snapshot holds (memory: bounded per process). */
  keys: number;
  snapshot: Snapshot | null;
  loading: Promise<void> | null;
  tooLargeUntil: number;
  /** Writes of this process since (or overlapping) the snapshot, by "<dimension>:<key>". */
  deltas: Map<string, SubjectDeltas>;
  /** How many the lists of `deltas` hold (memory: a reload drops those the snapshot holds). */
  deltaCount: number;
  /** The last refresh: a full load, or only the changes, and how many rows it read (tests, bench). */
  lastRefresh: { kind: "full" | "changes"; rows: number } | null;
}

interface MirrorState {
  fifo: boolean;
  seq: number;
  inFlight: Set<number>;
  workspaces: Map<string, WorkspaceMirror>;
  /** This process's open reservations (checkId → what it holds), to take back when a record settles one. */
  reservations: Map<string, { workspaceId: string; subjects: string[]; bucket: number; at: number } & Sums>;
}

const MAX_LOCAL_RESERVATIONS = 100_000;
const states = processGlobal("usageMirrors", () => new WeakMap<object, MirrorState>());

function stateOf(db: Queryable): MirrorState {
  let state = states.get(db);
  if (!state) {
    // PGlite runs statements one at a time, in order: a load sent after a write sees it.
    const fifo = !(db as { $client?: { unsafe?: unknown } }).$client?.unsafe;
    state = { fifo, seq: 0, inFlight: new Set(), workspaces: new Map(), reservations: new Map() };
    states.set(db, state);
  }
  return state;
}

/** The workspace's mirror, moved to the end of the map: the map's order is least recently used first. */
function mirrorOf(state: MirrorState, workspaceId: string): WorkspaceMirror {
  let m = state.workspaces.get(workspaceId);
  if (m) state.workspaces.delete(workspaceId);
  else m = { snapshot: null, loading: null, tooLargeUntil: 0, deltas: new Map(), deltaCount: 0, keys: 0, lastRefresh: null };
  state.workspaces.set(workspaceId, m);
  return m;
}

/** Keep the process's mirrors within MIRROR.maxKeysPerProcess keys: drop the least recently used. */
function evictMirrors(state: MirrorState, keep: WorkspaceMirror) {
  let total = 0;
  for (const m of state.workspaces.values()) total += m.keys;
  for (const [id, m] of state.workspaces) {
    if (total <= MIRROR.maxKeysPerProcess) break;
    if (m === keep || m.loading) continue;
    total -= m.keys;
    state.workspaces.delete(id);
  }
}

const groupKey = (dimension: Dimension, window: RuleWindow) => `${dimension}|${window}`;

/**
 * Whether this process is the database's only writer (embedded PGlite): its mirror is then exact,
 * and may also say that a rule which does not block (alert, re-auth, downgrade) is exceeded.
 */
export function mirrorIsExact(db: Queryable): boolean {
  return stateOf(db).fifo;
}

/**
 * Usage of each (subject, window) from memory, or null when any of them cannot be given exactly
 * (the caller reads the database). Starts a background reload when the mirror is due one.
 */
export function mirroredUsage(
  db: Queryable,
  workspaceId: string,
  subjects: Array<Subject & { window: RuleWindow }>,
  now: Date,
): SubjectUsage[] | null {
  const state = stateOf(db);
  const m = mirrorOf(state, workspaceId);
  // The groups this check reads, as a reload wants them (built only when one is started).
  const wanted = () => [...new Set(subjects.map((s) => groupKey(s.dimension, s.window)))].sort();
  const snap = m.snapshot;
  const reloadMs = state.fifo ? MIRROR.reloadMs.pglite : MIRROR.reloadMs.postgres;
  const t = now.getTime();
  const covers = snap !== null && subjects.every((s) => snap.groups.has(groupKey(s.dimension, s.window)));
  if (!snap || !covers || t - snap.loadedAt >= reloadMs || m.deltaCount > MIRROR.maxDeltas) {
    startReload(db, state, workspaceId, m, wanted, t);
  }
  if (!snap || !covers || t < snap.loadedAt || t - snap.loadedAt > reloadMs * MIRROR.maxAgeFactor) return null;
  const out: SubjectUsage[] = [];
  for (const s of subjects) {
    const usage = subjectUsage(snap, m, s, t);
    if (!usage) {
      // A window moved past what the snapshot holds: on PGlite, that is what a reload is for.
      if (state.fifo && t - snap.loadedAt >= MIRROR.reloadMs.agedMs) startReload(db, state, workspaceId, m, wanted, t);
      return null;
    }
    out.push(usage);
  }
  return out;
}

/** Reload the workspace's mirror in the background (the groups it holds and `wanted`), unless one is under way. */
function startReload(db: Queryable, state: MirrorState, workspaceId: string, m: WorkspaceMirror, wanted: () => string[], t: number) {
  if (m.loading || t < m.tooLargeUntil) return;
  const groups = new Set([...(m.snapshot?.groups.keys() ?? []), ...wanted()]);
  m.loading = reload(db, state, workspaceId, m, [...groups].sort());
}

function subjectUsage(snap: Snapshot, m: WorkspaceMirror, s: Subject & { window: RuleWindow }, t: number): SubjectUsage | null {
  const group = snap.groups.get(groupKey(s.dimension, s.window))!;
  const from = windowStartMs(s.window, t);
  // A calendar window that has reset, or a rolling one that moved past this key's oldest bucket.
  if (s.window === "calendar_day" || s.window === "calendar_month" ? from !== group.from : false) return null;
  const base = group.byKey.get(s.key);
  if (base && base.oldest < from) return null;
  const usage: SubjectUsage = {
    requests: base?.requests ?? 0n,
    tokens: base?.tokens ?? 0n,
    costNanos: base?.costNanos ?? 0n,
    oldestBucket: base ? new Date(base.oldest) : null,
  };
  const reservedFrom = Math.max(from, floorMs(t - RESERVATION_TTL_MS, MINUTE_MS));
  const subject = `${s.dimension}:${s.key}`;
  for (const r of snap.reserved.get(subject) ?? []) if (r.bucket >= reservedFrom) add(usage, r);
  for (const d of m.deltas.get(subject)?.sums.values() ?? []) {
    if (d.bucket < (d.kind === "reservation" ? reservedFrom : from)) continue;
    add(usage, d);
    if (d.kind === "rollup" && d.requests > 0n && (!usage.oldestBucket || d.bucket < usage.oldestBucket.getTime())) {
      usage.oldestBucket = new Date(d.bucket);
    }
  }
  return usage;
}

function add(usage: SubjectUsage, s: Sums) {
  usage.requests += s.requests;
  usage.tokens += s.tokens;
  usage.costNanos += s.costNanos;
}

/** Number a write before it is sent; `written` once it has committed (or failed). */
export function beginWrite(db: Queryable): number {
  const state = stateOf(db);
  const seq = ++state.seq;
  state.inFlight.add(seq);
  return seq;
}

export function endWrite(db: Queryable, seq: number) {
  stateOf(db).inFlight.delete(seq);
}

/** A write of this process: add it to the workspace's mirror unless its snapshot holds it already. */
function noteDelta(db: Queryable, workspaceId: string, seq: number, subject: string, delta: Omit<Delta, "seq">): Delta | null {
  const state = stateOf(db);
  const m = state.workspaces.get(workspaceId);
  if (!m?.snapshot && !m?.loading) return null; // nothing mirrored yet: the first load will read it
  if (m.snapshot && seq <= m.snapshot.seq && !m.snapshot.inFlight.has(seq)) return null;
  const entry = { ...delta, seq };
  addDelta(m, subject, entry);
  return entry;
}

/** Not yet sent: kept on top of every snapshot until its write is numbered. */
const UNSENT = Number.MAX_SAFE_INTEGER;

/**
 * A reservation this process has just allowed (fast path: before its write-behind is even sent;
 * locked path: once committed). Counted from now on; `sent(seq)` numbers it with its write, `drop()`
 * takes it back when the write failed.
 */
export function noteReservation(
  db: Queryable,
  r: { id: string; workspaceId: string; subjects: string[]; now: Date; estimate: { tokens: bigint; costNanos: bigint } },
  seq = UNSENT,
): { sent: (seq: number) => void; drop: () => void } {
  const state = stateOf(db);
  const sums = { requests: 1n, tokens: r.estimate.tokens, costNanos: r.estimate.costNanos };
  const bucket = floorMs(r.now.getTime(), MINUTE_MS);
  const deltas: Array<readonly [string, Delta]> = [];
  for (const subject of r.subjects) {
    const d = noteDelta(db, r.workspaceId, seq, subject, { ...sums, bucket, kind: "reservation" });
    if (d) deltas.push([subject, d]);
  }
  if (r.subjects.length) {
    // Oldest first (insertion order): drop what has expired, and past the cap the oldest.
    for (const [id, kept] of state.reservations) {
      if (state.reservations.size < MAX_LOCAL_RESERVATIONS && kept.at > r.now.getTime() - RESERVATION_TTL_MS) break;
      state.reservations.delete(id);
    }
    state.reservations.set(r.id, { workspaceId: r.workspaceId, subjects: r.subjects, bucket, at: r.now.getTime(), ...sums });
  }
  return {
    sent: (n) => {
      for (const [, d] of deltas) d.seq = n;
    },
    drop: () => {
      state.reservations.delete(r.id);
      const m = state.workspaces.get(r.workspaceId);
      if (m) for (const [subject, d] of deltas) addDelta(m, subject, d, -1n);
    },
  };
}

/**
 * A record committed by write `seq`: its usage on every counter it added to, minus the reservation
 * it settled when this process made it (a check settled elsewhere stays counted until the next
 * reload: counted twice, never missed).
 */
export function noteRecorded(
  db: Queryable,
  seq: number,
  r: {
    workspaceId: string;
    keys: Array<[Dimension, string]>;
    bucket: Date;
    tokens: bigint;
    costNanos: bigint;
    settledCheckId: string | null;
  },
) {
  const state = stateOf(db);
  const bucket = r.bucket.getTime();
  for (const [dimension, key] of r.keys) {
    noteDelta(db, r.workspaceId, seq, `${dimension}:${key}`, {
      requests: 1n,
      tokens: r.tokens,
      costNanos: r.costNanos,
      bucket,
      kind: "rollup",
    });
  }
  const settled = r.settledCheckId ? state.reservations.get(r.settledCheckId) : undefined;
  if (!settled || !r.settledCheckId) return;
  state.reservations.delete(r.settledCheckId);
  for (const subject of settled.subjects) {
    noteDelta(db, r.workspaceId, seq, subject, {
      requests: -settled.requests,
      tokens: -settled.tokens,
      costNanos: -settled.costNanos,
      bucket: settled.bucket,
      kind: "reservation",
    });
  }
}

/** Forget every mirror of this database (tests that rewrite counters behind the app's back). */
export function forgetMirrors(db: Queryable) {
  states.delete(db);
}

async function reload(db: Queryable, state: MirrorState, workspaceId: string, m: WorkspaceMirror, groups: string[]) {
  await Promise.resolve(); // `m.loading` is set before anything below runs
  const seq = state.seq;
  const inFlight = new Set(state.inFlight);
  const loadedAt = Date.now();
  try {
    const prev = m.snapshot;
    const changes =
      prev && loadedAt - prev.fullAt < MIRROR.fullReloadMs && sameGroups(prev, groups, loadedAt)
        ? await loadChanges(db, workspaceId, prev, loadedAt)
        : null;
    // From here to the end of the swap, nothing awaits: no check sees the new counters with the old deltas.
    const snapshot = changes ? changes() : await load(db, workspaceId, groups, loadedAt);
    if (!snapshot) {
      m.snapshot = null;
      m.deltas.clear();
      m.deltaCount = 0;
      m.tooLargeUntil = Date.now() + MIRROR.retryTooLargeMs;
      return;
    }
    const { rows, ...loaded } = snapshot;
    m.lastRefresh = { kind: changes ? "changes" : "full", rows };
    m.snapshot = { ...loaded, seq, inFlight: state.fifo ? new Set() : inFlight };
    m.keys = [...snapshot.groups.values()].reduce((n, g) => n + g.byKey.size, snapshot.reserved.size);
    evictMirrors(state, m);
    // Keep only what the new snapshot may lack: writes sent after it, or (Postgres) in flight then.
    const before = m.deltas;
    m.deltas = new Map();
    m.deltaCount = 0;
    for (const [subject, { list }] of before) {
      for (const d of list) if (d.seq > seq || m.snapshot.inFlight.has(d.seq)) addDelta(m, subject, d);
    }
  } catch (err) {
    log.warn("usage mirror reload failed: checks read the database meanwhile", { workspaceId, err });
  } finally {
    m.loading = null;
  }
}

/** When the workspace's mirror in this process was loaded (epoch ms), or null (tests). */
export function mirrorLoadedAt(db: Queryable, workspaceId: string): number | null {
  return stateOf(db).workspaces.get(workspaceId)?.snapshot?.loadedAt ?? null;
}

/** The last refresh of the workspace's mirror in this process: full or changes only, rows read (tests, bench). */
export function mirrorLastRefresh(db: Queryable, workspaceId: string): WorkspaceMirror["lastRefresh"] {
  return stateOf(db).workspaces.get(workspaceId)?.lastRefresh ?? null;
}

/** The workspace's snapshot as plain, ordered data (tests: a refresh of changes equals a full load). */
export function mirrorContents(db: Queryable, workspaceId: string) {
  const snap = stateOf(db).workspaces.get(workspaceId)?.snapshot;
  if (!snap) return null;
  const text = (x: Sums) => `${x.requests}/${x.tokens}/${x.costNanos}`;
  const sorted = <T>(entries: Array<[string, T]>) => entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    groups: sorted([...snap.groups].map(([g, group]) => [g, sorted([...group.byKey].map(([k, v]) => [k, `${text(v)}@${v.oldest}`]))])),
    reserved: sorted(
      [...snap.reserved].map(([subject, list]) => [
        subject,
        [...list].sort((a, b) => a.bucket - b.bucket).map((r) => `${text(r)}@${r.bucket}`),
      ]),
    ),
  };
}

/** Whether this process holds a loaded mirror of the workspace (tests). */
export function mirrorHeld(db: Queryable, workspaceId: string): boolean {
  return Boolean(stateOf(db).workspaces.get(workspaceId)?.snapshot);
}

/** Resolves when the workspace's mirror load in flight (if any) is done. */
export async function mirrorLoaded(db: Queryable, workspaceId: string): Promise<void> {
  await stateOf(db).workspaces.get(workspaceId)?.loading;
}

/** Reload the workspace's mirror now, with the groups it holds (tests: "the next reload"). */
export async function reloadMirror(db: Queryable, workspaceId: string): Promise<void> {
  const state = stateOf(db);
  const m = mirrorOf(state, workspaceId);
  await m.loading;
  m.loading = reload(db, state, workspaceId, m, [...(m.snapshot?.groups.keys() ?? [])].sort());
  await m.loading;
}

/** One statement (one snapshot): each group's per-key sums and oldest bucket, and the open reservations. */
async function load(db: Queryable, workspaceId: string, groupKeys: string[], loadedAt: number): Promise<Loaded | null> {
  const now = new Date(loadedAt);
  const parsed = groupKeys.map((g) => {
    const [dimension, window] = g.split("|") as [Dimension, RuleWindow];
    return { g, dimension, window, from: windowStart(window, now) };
  });
  const reservedFrom = floorToMinute(new Date(loadedAt - RESERVATION_TTL_MS)).toISOString();
  // Buckets come back as epoch milliseconds (float8: minute buckets are exact integers), not
  // timestamps: a reload reads tens of thousands of rows, and spares a Date parsed per row.
  const parts = [
    SNAPSHOT_XID,
    reservationRows(workspaceId, reservedFrom, sql`(requests <> 0 or tokens <> 0 or cost_nanos <> 0)`),
    ...parsed.map((p, i) => groupRows(i, workspaceId, p.dimension, p.from, sql``)),
  ];
  const rows = resultRows<MirrorRow>(await db.execute(sql.join(parts, sql` union all `)));
  if (rows.length > MIRROR.maxKeys) return null;
  const groups = new Map<string, Group>(parsed.map((p) => [p.g, { window: p.window, from: p.from.getTime(), byKey: new Map() }]));
  const byGroup = parsed.map((p) => groups.get(p.g)!.byKey);
  const reserved = new Map<string, Array<{ bucket: number } & Sums>>();
  let xid = "";
  for (let i = 0; i < rows.length; i++) {
    // The checks served meanwhile use the snapshot before this one: building a large one in
    // turns keeps them from waiting for all of it.
    if (i > 0 && i % LOAD_ROWS_PER_TURN === 0) await yieldToEventLoop();
    const r = rows[i]!;
    if (Number(r.g) === XID_ROW) {
      xid = r.key;
      continue;
    }
    const requests = BigInt(r.requests);
    const tokens = BigInt(r.tokens);
    const costNanos = BigInt(r.cost);
    const bucket = Number(r.at);
    const g = Number(r.g);
    if (g >= 0) {
      byGroup[g]!.set(r.key, { requests, tokens, costNanos, oldest: bucket });
      continue;
    }
    const list = reserved.get(r.key);
    if (list) list.push({ bucket, requests, tokens, costNanos });
    else reserved.set(r.key, [{ bucket, requests, tokens, costNanos }]);
  }
  return { loadedAt, fullAt: loadedAt, xid, groups, reserved, rows: rows.length };
}

/** A load's open reservation counters (row group -1) from `reservedFrom` that match `where`. */
const reservationRows = (workspaceId: string, reservedFrom: string, where: SQL) =>
  sql`select -1 as g, subject as key, (extract(epoch from bucket) * 1000)::float8 as at, requests::text as requests,
      tokens::text as tokens, cost_nanos::text as cost
    from reservation_counters where workspace_id = ${workspaceId} and bucket >= ${reservedFrom}::timestamptz and ${where}`;

/** A load's per-key sums and oldest bucket of one group (row group `i`), the keys `having` keeps. */
const groupRows = (i: number, workspaceId: string, dimension: Dimension, from: Date, having: SQL) =>
  sql`select ${i}::int as g, key, (extract(epoch from min(bucket)) * 1000)::float8 as at,
      sum(requests)::text as requests, sum(total_tokens)::text as tokens, sum(cost_nanos)::text as cost
    from usage_rollups where workspace_id = ${workspaceId} and dimension = ${dimension}
      and bucket >= ${from.toISOString()}::timestamptz
    group by key ${having}`;

/** What a load or a refresh gives: the snapshot but for its write sequence, and the rows it read. */
type Loaded = Omit<Snapshot, "seq" | "inFlight"> & { rows: number };

type MirrorRow = { g: number; key: string; at: number | string; requests: string; tokens: string; cost: string };

/** The row of a load that carries its snapshot's xmin (32 bits, as text), not a counter. */
const XID_ROW = -2;
const SNAPSHOT_XID = sql`select ${sql.raw(String(XID_ROW))} as g,
    (pg_snapshot_xmin(pg_current_snapshot())::text::numeric % 4294967296)::text as key, 0::float8 as at,
    '0' as requests, '0' as tokens, '0' as cost`;

/** Whether a refresh may read only the changes: the same groups, and no calendar window has reset. */
function sameGroups(prev: Snapshot, groups: string[], loadedAt: number): boolean {
  if (groups.length !== prev.groups.size) return false;
  const now = new Date(loadedAt);
  return groups.every((g) => {
    const group = prev.groups.get(g);
    if (!group) return false;
    const calendar = group.window === "calendar_day" || group.window === "calendar_month";
    return !calendar || windowStart(group.window, now).getTime() === group.from;
  });
}

/**
 * The refresh of a loaded mirror, in one statement (one snapshot), answering what changed since the
 * previous load's snapshot and nothing else: rows a transaction wrote since have an xmin at or after
 * that snapshot's xmin (`age(xmin) <= age(prev)`: both measured from the same current transaction,
 * so the test survives xid wrap-around). Per group, the keys with such a rollup row in the window,
 * and those whose oldest bucket has left a rolling window, are summed again (the database scans the
 * window as a full load does, ~the same time, measured; a `key in (changed keys)` form was planned as
 * a nested loop, 30 s for 10,000 keys, and `key = any(array(…))` took 1.2 s when all had changed);
 * the reservation counters written since replace theirs (zero ones go). Then applied to the previous snapshot in one
 * synchronous step. Deleted rows are not seen, and need not be: compaction's deletes come with the
 * hour row they fold into (written, so seen), retention deletes only what no window holds any
 * more; the full load every `fullReloadMs` is the backstop.
 */
async function loadChanges(db: Queryable, workspaceId: string, prev: Snapshot, loadedAt: number): Promise<() => Loaded | null> {
  const now = new Date(loadedAt);
  const since = sql`age(${prev.xid}::xid)`;
  const groups = [...prev.groups.entries()].map(([g, group]) => {
    const [dimension] = g.split("|") as [Dimension];
    const from = windowStart(group.window, now);
    const fromMs = from.getTime();
    const aged: string[] = [];
    if (fromMs !== group.from) for (const [key, sums] of group.byKey) if (sums.oldest < fromMs) aged.push(key);
    return { group, dimension, from, fromMs, aged };
  });
  const reservedFromMs = floorToMinute(new Date(loadedAt - RESERVATION_TTL_MS)).getTime();
  const parts = [
    SNAPSHOT_XID,
    reservationRows(workspaceId, new Date(reservedFromMs).toISOString(), sql`age(xmin) <= ${since}`),
    ...groups.map((p, i) =>
      groupRows(i, workspaceId, p.dimension, p.from, sql`having bool_or(age(xmin) <= ${since}) or key = any(${pgArray(p.aged)}::text[])`),
    ),
  ];
  const rows = resultRows<MirrorRow>(await db.execute(sql.join(parts, sql` union all `)));
  // Parsed first (in turns, like a load), applied after in one step: checks meanwhile read `prev` whole.
  let xid = prev.xid;
  const sums: Array<{ g: number; key: string; bucket: number } & Sums> = [];
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % LOAD_ROWS_PER_TURN === 0) await yieldToEventLoop();
    const r = rows[i]!;
    const g = Number(r.g);
    if (g === XID_ROW) xid = r.key;
    else
      sums.push({ g, key: r.key, bucket: Number(r.at), requests: BigInt(r.requests), tokens: BigInt(r.tokens), costNanos: BigInt(r.cost) });
  }
  return () => {
    const next = applyChanges(prev, groups, sums, xid, reservedFromMs, loadedAt);
    return next && { ...next, rows: rows.length };
  };
}

/** Apply a refresh's changes to the previous snapshot, in place (see loadChanges). Null: now too large to keep. */
function applyChanges(
  prev: Snapshot,
  groups: Array<{ group: Group; fromMs: number; aged: string[] }>,
  sums: Array<{ g: number; key: string; bucket: number } & Sums>,
  xid: string,
  reservedFromMs: number,
  loadedAt: number,
): Omit<Snapshot, "seq" | "inFlight"> | null {
  for (const p of groups) {
    for (const key of p.aged) p.group.byKey.delete(key); // back below if it still has usage in the window
    p.group.from = p.fromMs;
  }
  for (const { g, key, bucket, ...counts } of sums) {
    if (g >= 0) {
      groups[g]!.group.byKey.set(key, { ...counts, oldest: bucket });
      continue;
    }
    const list = (prev.reserved.get(key) ?? []).filter((r) => r.bucket !== bucket);
    if (counts.requests !== 0n || counts.tokens !== 0n || counts.costNanos !== 0n) list.push({ bucket, ...counts });
    if (list.length) prev.reserved.set(key, list);
    else prev.reserved.delete(key);
  }
  for (const [subject, list] of prev.reserved) {
    if (list.every((r) => r.bucket >= reservedFromMs)) continue;
    const kept = list.filter((r) => r.bucket >= reservedFromMs);
    if (kept.length) prev.reserved.set(subject, kept);
    else prev.reserved.delete(subject);
  }
  const keys = groups.reduce((n, p) => n + p.group.byKey.size, prev.reserved.size);
  if (keys > MIRROR.maxKeys) return null;
  return { loadedAt, fullAt: prev.fullAt, xid, groups: prev.groups, reserved: prev.reserved };
}
