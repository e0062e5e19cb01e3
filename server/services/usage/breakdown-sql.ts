import { sql, type SQL } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { InvalidInputError } from "../errors";

/** What a breakdown can group by, and each one's column of `events`. */
export const BREAKDOWN_DIMENSIONS = ["user", "org", "feature", "model", "tier"] as const;
export type TBreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

/**
 * Keys in the "C" collation: groups order by their bytes (the same on every server and in the
 * merge below), and lower() takes its ASCII fast path. Models as the model rollups key them:
 * one model whatever the case the SDK sent.
 */
const COLUMN: Record<TBreakdownDimension, SQL> = {
  user: sql`user_id collate "C"`,
  org: sql`org_id collate "C"`,
  feature: sql`feature collate "C"`,
  model: sql`lower(model collate "C")`,
  tier: sql`tier collate "C"`,
};
/** Statements one breakdown runs at once on Postgres (each with its own part of the groups). */
const PARTS = 2;

/** A group: keys d0…dn, sums as decimal text (exact). */
export type TGroupRow = Record<string, string | null> & {
  requests: string;
  input: string;
  output: string;
  total: string;
  cost: string;
  unpriced: string;
};

/** The position after a group: its cost and its keys, and the dimensions they are of. */
export type TCursor = { c: string; k: Array<string | null>; b: string };

export interface GroupQuery {
  workspaceId: string;
  by: TBreakdownDimension[];
  from: Date;
  to: Date;
  /** `select user_id …` of a segment's members, or null. */
  scope: SQL | null;
  cursor: TCursor | null;
  limit: number;
}

/**
 * The first `limit` groups after the cursor, by cost descending, then each key ascending (bytes,
 * nulls last). End users crossed with another dimension make hundreds of thousands of groups: for
 * those, on Postgres, the groups are split in PARTS by a hash of the end user and each part is
 * aggregated by its own statement, at once, so the aggregate uses both cores (Postgres' own
 * parallel plan aggregates each worker's rows apart and then combines the partial groups, which
 * costs more than it saves when there are that many). Fewer groups: one statement, Postgres'
 * parallel plan. PGlite: one statement. Figures in docs/SCALING.md, "Usage breakdowns".
 */
export async function topGroups(db: Db, q: GroupQuery): Promise<TGroupRow[]> {
  if (!isPool(db) || !q.by.includes("user") || q.by.length === 1) return runPart(db, statement(q, sql``), true);
  const parts = await Promise.all(
    Array.from({ length: PARTS }, (_, k) =>
      runPart(db, statement(q, sql`and hashtext(coalesce(user_id, '')) & ${sql.raw(`${PARTS - 1} = ${k}`)}`), false),
    ),
  );
  return mergeTop(parts, q.by.length, q.limit);
}

/** postgres.js (a pool, statements at once) rather than PGlite (one connection). */
function isPool(db: Db): boolean {
  return typeof (db as { $client?: { unsafe?: unknown } }).$client?.unsafe === "function";
}

async function runPart(db: Db, query: SQL, parallel: boolean): Promise<TGroupRow[]> {
  return db.transaction(async (tx) => {
    // Room for the groups in memory (no spill to disk); no JIT compilation (measured: it costs more
    // than it saves here); the range read from the covering index alone (events_workspace_id_
    // occurred_at_covering_idx: only this workspace's rows, only the columns summed), which the
    // planner would otherwise trade for a scan of every workspace's rows of the months.
    await tx.execute(sql`set local work_mem = '64MB'`);
    await tx.execute(sql`set local jit = off`);
    await tx.execute(sql`set local enable_seqscan = off`);
    await tx.execute(sql`set local enable_bitmapscan = off`);
    if (!parallel) {
      // A part runs alone (the parts are the parallelism). The planner reads the hash condition as
      // keeping 0.5% of the rows, not half, and would group by sorting them (on disk): hash them.
      await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
      await tx.execute(sql`set local enable_sort = off`);
    }
    return resultRows<TGroupRow>(await tx.execute(query));
  });
}

function statement(q: GroupQuery, part: SQL): SQL {
  const keys = q.by.map((d, i) => sql`${COLUMN[d]} as ${sql.raw(`d${i}`)}`);
  const cols = q.by.map((_, i) => sql.raw(`d${i}`));
  const groups = q.by.map((_, i) => sql.raw(String(i + 1)));
  const order = q.by.map((_, i) => sql.raw(`d${i} asc nulls last`));
  // Tokens are at most 1e9 a record (MAX_TOKENS_PER_RECORD): summed as int4 the sums are int8,
  // cheaper than the numeric sums of int8. Cost is summed as it is (numeric: exact).
  return sql`select ${sql.join(cols, sql`, `)}, requests, input, output, total, g.cost::text as cost, unpriced from (
      select ${sql.join(keys, sql`, `)}, count(*)::text as requests, sum(input_tokens::int4)::text as input,
        sum(output_tokens::int4)::text as output, sum(total_tokens::int4)::text as total, sum(cost_nanos) as cost,
        count(*) filter (where not priced)::text as unpriced
      from events
      where workspace_id = ${q.workspaceId}
        and occurred_at >= ${q.from.toISOString()}::timestamptz and occurred_at < ${q.to.toISOString()}::timestamptz
        ${q.scope ? sql`and user_id in (${q.scope})` : sql``} ${part}
      group by ${sql.join(groups, sql`, `)}
    ) g
    ${q.cursor ? sql`where ${afterCursor(q.cursor, q.by.length)}` : sql``}
    order by g.cost desc, ${sql.join(order, sql`, `)}
    limit ${q.limit}`;
}

/** Groups ordered after the cursor's, as the ORDER BY orders them, null keys tested explicitly. */
function afterCursor(c: TCursor, width: number): SQL {
  const cost = sql`${c.c}::numeric`;
  let keys: SQL = sql`false`;
  for (let i = width - 1; i >= 0; i--) {
    const d = sql.raw(`d${i}`);
    const v = c.k[i];
    const greater = v === null ? sql`false` : sql`(${d} is null or ${d} > ${v})`;
    const equal = v === null ? sql`${d} is null` : sql`${d} = ${v}`;
    keys = sql`(${greater} or (${equal} and ${keys}))`;
  }
  return sql`(cost < ${cost} or (cost = ${cost} and ${keys}))`;
}

/** The first `limit` rows of the parts (each in the SQL's order) merged, in that order. */
function mergeTop(parts: TGroupRow[][], width: number, limit: number): TGroupRow[] {
  const at = parts.map(() => 0);
  const out: TGroupRow[] = [];
  while (out.length < limit) {
    let best = -1;
    parts.forEach((rows, p) => {
      const row = rows[at[p]!];
      if (row && (best < 0 || compareGroups(row, parts[best]![at[best]!]!, width) < 0)) best = p;
    });
    if (best < 0) break;
    out.push(parts[best]![at[best]!++]!);
  }
  return out;
}

export function compareGroups(a: TGroupRow, b: TGroupRow, width: number): number {
  const ca = BigInt(a.cost);
  const cb = BigInt(b.cost);
  if (ca !== cb) return ca > cb ? -1 : 1;
  for (let i = 0; i < width; i++) {
    const x = a[`d${i}`] ?? null;
    const y = b[`d${i}`] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return Buffer.compare(Buffer.from(x), Buffer.from(y));
  }
  return 0;
}

export function encodeCursor(c: TCursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

export function decodeCursor(raw: string, by: TBreakdownDimension[]): TCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as TCursor;
    const keysOk = Array.isArray(c.k) && c.k.length === by.length && c.k.every((k) => k === null || typeof k === "string");
    if (typeof c.c === "string" && /^\d+$/.test(c.c) && keysOk && c.b === by.join(",")) return c;
  } catch {
    // not JSON: refused below
  }
  throw new InvalidInputError("cursor is not a nextCursor of this breakdown");
}
