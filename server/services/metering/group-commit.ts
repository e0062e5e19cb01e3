import { executePrepared, ownConnection, type Queryable } from "@/db/client";
import { processGlobal } from "@/server/lib/process-global";
import { beginWrite, endWrite, noteRecorded } from "../guardrails/usage-mirror";
import { insertEventsStatement, rollupKeys, type EventToInsert, type InsertedEvent } from "./insert-event-sql";

/** The most events one statement carries. */
export const MAX_BATCH = 100;

/** A record waiting for its statement. */
interface Pending {
  event: EventToInsert;
  /** Records with the same key settle the same user's checks: never two in one statement. */
  settleKey: string | null;
  resolve(outcome: InsertedEvent | null): void;
  reject(err: unknown): void;
}

/** What a database's batcher has done (read by tests and the bench). */
export interface GroupCommitStats {
  /** Statements that carried records (batches and one-by-one retries). */
  statements: number;
  /** Records written, including duplicates answered without a row of their own. */
  records: number;
}

/**
 * Write events, one statement for any number: the inserted ones answer (id, settled), a
 * requestId already recorded answers nothing. The single-record path is this with one event.
 */
export async function writeEvents(
  db: Queryable,
  events: EventToInsert[],
  /** The database whose check mirror counts these events (the root one, when `db` is a transaction). */
  mirrorDb: Queryable = db,
  /** Where the statement runs, when not on `db` itself: the batcher's own connection to it. */
  via: Queryable = db,
): Promise<Array<InsertedEvent | null>> {
  const seq = beginWrite(mirrorDb);
  try {
    const rows = await executePrepared<{ idx: number; id: string; settled: string | null }>(via, insertEventsStatement(events));
    const out: Array<InsertedEvent | null> = events.map(() => null);
    for (const r of rows) out[Number(r.idx)] = { id: r.id, settled: r.settled ?? null };
    for (const [i, e] of events.entries()) {
      const inserted = out[i];
      if (!inserted) continue;
      noteRecorded(mirrorDb, seq, {
        workspaceId: e.workspaceId,
        keys: [...rollupKeys(e), ...(e.ruleKeys ?? [])],
        bucket: e.bucket,
        tokens: BigInt(e.tokens.total),
        costNanos: e.costNanos,
        settledCheckId: inserted.settled,
      });
    }
    return out;
  } finally {
    endWrite(mirrorDb, seq);
  }
}

/**
 * Group commit for one database: when idle, a record is written at once (no timer, no added
 * latency); while a statement is in flight, arrivals queue, and when it commits the queue goes
 * out as one statement. Each caller is answered after the commit of the statement holding its
 * record. Rollup rows are hot (every record of a workspace adds to the same minute buckets), so
 * one statement per batch turns N lock waits and N commits into one. On Postgres the statements
 * go over a connection of the batcher's own (db/client.ts ownConnection): the pool would hand each
 * to the backend that ran one `max` statements ago, with cold caches (twice the server CPU).
 *
 * One statement at a time, not two or three in flight: tried for issue #19, no gain measured at
 * 10 concurrent callers on 2 shared cores. The second statement waits on the first's rollup rows
 * until that commits, so commits still follow one another, each carrying only part of the waiting
 * records; where WAL flushes are slow that would lower throughput, not raise it.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  /** A statement is in flight, or the next one is about to go (see `next`). */
  private busy = false;
  /** Where batches are written: the database's own connection for the batcher, else the database. */
  private readonly via: Queryable;
  readonly stats: GroupCommitStats = { statements: 0, records: 0 };

  constructor(private readonly db: Queryable) {
    this.via = ownConnection(db) ?? db;
  }

  /** Record `event`; resolves with its row, or null when its requestId was recorded already. */
  write(event: EventToInsert, settleKey: string | null): Promise<InsertedEvent | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, settleKey, resolve, reject });
      if (!this.busy) this.send();
    });
  }

  /** Take the queue's next batch and write it; then go on while records wait. */
  private send() {
    const { batch, rest } = takeBatch(this.queue);
    this.queue = rest;
    this.busy = true;
    void this.flush(batch).then(() => this.next());
  }

  /**
   * After a commit, the next batch leaves at the end of this turn of the event loop (no timer):
   * the callers just answered, and requests read meanwhile, join it instead of trailing one
   * statement behind in a batch of their own.
   */
  private next() {
    setImmediate(() => {
      if (this.queue.length > 0) this.send();
      else this.busy = false;
    });
  }

  /** One statement for the batch; if it fails, each record alone, so a bad one fails only its caller. */
  private async flush(batch: Batch) {
    this.stats.records += batch.leaders.length + batch.followers.length;
    try {
      this.stats.statements++;
      const outcomes = await writeEvents(
        this.db,
        batch.leaders.map((p) => p.event),
        this.db,
        this.via,
      );
      batch.leaders.forEach((p, i) => p.resolve(outcomes[i] ?? null));
      // The same requestId again in this batch: recorded once, by its first caller.
      for (const p of batch.followers) p.resolve(null);
    } catch (err) {
      if (batch.leaders.length === 1 && batch.followers.length === 0) batch.leaders[0]!.reject(err);
      else await this.oneByOne(batch.all);
    }
  }

  private async oneByOne(pending: Pending[]) {
    for (const p of pending) {
      this.stats.statements++;
      try {
        const [outcome] = await writeEvents(this.db, [p.event], this.db, this.via);
        p.resolve(outcome ?? null);
      } catch (err) {
        p.reject(err);
      }
    }
  }
}

interface Batch {
  /** One record per requestId, at most one per settle key: written. */
  leaders: Pending[];
  /** Later records with a leader's requestId: answered as duplicates once it commits. */
  followers: Pending[];
  /** Leaders and followers in arrival order (a failed batch is retried one by one in it). */
  all: Pending[];
}

/**
 * The next statement's records, in arrival order: up to MAX_BATCH distinct requestIds, a second
 * record of a requestId rides along as a follower, and a record whose user already settles a
 * check in this batch (or that follows one left for later) waits for the next batch.
 */
function takeBatch(queue: Pending[]): { batch: Batch; rest: Pending[] } {
  const batch: Batch = { leaders: [], followers: [], all: [] };
  const rest: Pending[] = [];
  const requests = new Set<string>();
  const deferredRequests = new Set<string>();
  const settling = new Set<string>();
  for (const p of queue) {
    const request = `${p.event.workspaceId}|${p.event.requestId}`;
    if (requests.has(request)) {
      batch.all.push(p);
      batch.followers.push(p);
    } else if (batch.leaders.length >= MAX_BATCH || deferredRequests.has(request) || (p.settleKey !== null && settling.has(p.settleKey))) {
      deferredRequests.add(request);
      rest.push(p);
    } else {
      requests.add(request);
      if (p.settleKey !== null) settling.add(p.settleKey);
      batch.all.push(p);
      batch.leaders.push(p);
    }
  }
  return { batch, rest };
}

// One batcher per database object and process (kept across dev reloads, like the database).
const batchers = processGlobal("groupCommits", () => new WeakMap<Queryable, GroupCommit>());

/** The group commit of a database. */
export function groupCommitFor(db: Queryable): GroupCommit {
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new GroupCommit(db);
    batchers.set(db, batcher);
  }
  return batcher;
}
