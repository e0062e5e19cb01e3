import { sql, type SQL } from "drizzle-orm";
import type { Dimension } from "@/db/schema";
import { EVENTS, type OutboxPayload } from "@/server/events/catalogue";
import type { UsageTokens } from "../core/usage";

export interface EventToInsert {
  id: string;
  workspaceId: string;
  requestId: string;
  userId: string | null;
  orgId: string | null;
  feature: string | null;
  tier: string | null;
  model: string;
  provider: string | null;
  requestType: string | null;
  conversationId: string | null;
  latencyMs: number | null;
  metadata: Record<string, unknown> | null;
  usageFormat: string;
  tokens: UsageTokens;
  costNanos: bigint;
  priced: boolean;
  priceSource: string | null;
  occurredAt: Date;
  bucket: Date;
  hasText: boolean;
  /** Text for the intent labeller (event_texts, deleted once labelled or expired); null: none. */
  labelText?: { input: string | null; output: string | null; expiresAt: Date } | null;
  /** Counters of rules with filters this call matches (["rule", "<ruleId>|<key>"]), sorted. */
  ruleKeys?: Array<[Dimension, string]>;
  /** Which open check to settle: this one, the user's latest (of this feature), or none. */
  settle?: { checkId: string } | { latestOf: { feature: string | null } } | null;
}

/** What the statement answers for each event it inserted (a duplicate requestId gets no row). */
export interface InsertedEvent {
  id: string;
  settled: string | null;
}

/**
 * The upsert tail that adds a row's counters to an existing rollup bucket. Shared by
 * recording (minute buckets) and compaction (hour buckets): one definition of "add".
 */
const ADD_TO_ROLLUP_TEXT = `on conflict (workspace_id, dimension, key, granularity, bucket) do update set
        ${[
          "requests",
          "input_tokens",
          "cached_input_tokens",
          "output_tokens",
          "reasoning_tokens",
          "total_tokens",
          "cost_nanos",
          "unpriced_requests",
        ]
          .map((c) => `${c} = usage_rollups.${c} + excluded.${c}`)
          .join(",\n        ")}`;
export const ADD_TO_ROLLUP = sql.raw(ADD_TO_ROLLUP_TEXT);

/** The rollup keys one event counts towards, in a fixed order (a fixed lock order: no deadlocks). */
export function rollupKeys(e: Pick<EventToInsert, "userId" | "orgId" | "feature" | "model" | "tier">): Array<[Dimension, string]> {
  const keys: Array<[Dimension, string]> = [["workspace", ""]];
  if (e.userId) keys.push(["user", e.userId]);
  if (e.orgId) keys.push(["org", e.orgId]);
  if (e.feature) keys.push(["feature", e.feature]);
  keys.push(["model", e.model.toLowerCase()]);
  if (e.tier) keys.push(["tier", e.tier]);
  return keys;
}

/** One event as a row of the statement's JSON input (bigints and dates as text). */
function inputRow(e: EventToInsert, idx: number) {
  const t = e.tokens;
  const keys = [...rollupKeys(e), ...(e.ruleKeys ?? [])];
  const outbox: OutboxPayload<typeof EVENTS.eventRecorded> = {
    eventId: e.id,
    requestId: e.requestId,
    userId: e.userId,
    conversationId: e.conversationId,
    hasText: e.hasText,
  };
  const settle = e.settle ?? null;
  return {
    idx,
    id: e.id,
    workspace_id: e.workspaceId,
    request_id: e.requestId,
    user_id: e.userId,
    org_id: e.orgId,
    feature: e.feature,
    tier: e.tier,
    model: e.model,
    provider: e.provider,
    request_type: e.requestType,
    conversation_id: e.conversationId,
    latency_ms: e.latencyMs,
    metadata: e.metadata,
    usage_format: e.usageFormat,
    input_tokens: t.input,
    cached_input_tokens: t.cachedInput,
    cache_write_tokens: t.cacheWrite,
    output_tokens: t.output,
    reasoning_tokens: t.reasoning,
    audio_input_tokens: t.audioInput,
    audio_output_tokens: t.audioOutput,
    total_tokens: t.total,
    cost_nanos: e.costNanos.toString(),
    priced: e.priced,
    price_source: e.priceSource,
    occurred_at: e.occurredAt.toISOString(),
    bucket: e.bucket.toISOString(),
    dims: keys.map(([d]) => d),
    rkeys: keys.map(([, k]) => k),
    text_input: e.labelText?.input ?? null,
    text_output: e.labelText?.output ?? null,
    text_expires_at: e.labelText ? e.labelText.expiresAt.toISOString() : null,
    settle_check: settle && "checkId" in settle ? settle.checkId : null,
    settle_latest: Boolean(settle && "latestOf" in settle && e.userId),
    settle_feature: settle && "latestOf" in settle ? settle.latestOf.feature : null,
    outbox,
  };
}

/**
 * Keeps the labeller's texts. Only in the statement for batches that carry text: a CTE that
 * inserts nothing still opens its table and indexes on every execution (measured, issue #19: about
 * a tenth of a one-record statement's database time).
 */
const textsCte = (one: boolean) => `  ), texts as (
    insert into event_texts (event_id, workspace_id, user_id, conversation_id, input, output, occurred_at, expires_at)
    select id, workspace_id, user_id, conversation_id, text_input, text_output, occurred_at, text_expires_at
    from fresh where text_expires_at is not null${one ? "" : " order by idx"}
`;

/**
 * One statement for any number of events (the group commit's batch, or a single record): the
 * events arrive as one JSON parameter, so the text never changes and Postgres plans it once per
 * connection. Data-modifying CTEs: take each event's idempotency key (event_keys; a requestId
 * already recorded gets nothing further), then only for the events that got a key: insert them,
 * settle each one's check (by checkId, else its user's latest open one; the caller puts at most
 * one settling event per user in a statement), release the settled checks' reservation counters,
 * add to the minute rollups and end users (summed per row first, written in key order: batches
 * running at once lock rows in one order, so they never deadlock), keep the labeller's text and
 * write the outbox entries. Answers (idx, id, settled) per inserted event.
 *
 * The CTEs the final select does not read run after it, the last declared first: outbox, texts,
 * events, end users, reservation counters, and the rollups last, so their hot rows (every record
 * of a workspace adds to the same minute buckets) stay locked only until the commit. Batches
 * without the labeller's text leave the texts CTE out (each text is prepared once per connection).
 *
 * `one`: the statement of a single record (a record arriving while the batcher is idle: every record
 * of a workspace with little traffic). The same writes, without what only a batch needs: no
 * aggregate (one event adds to each of its rollup rows once), no sort but the rollup and counter
 * rows' lock order, no join of the event with its own key or check. Postgres sets up each of those
 * plan nodes on every execution, whatever it holds: measured (issue #19, `npm run bench -- record`
 * at concurrency 1), Postgres CPU per record 486–493 µs → 395–414 µs, records/s +9–21%.
 */
const statementSql = (withTexts: boolean, one: boolean) => `with input as materialized (
    select * from json_to_recordset($1::json) as r(idx int, id text, workspace_id text, request_id text, user_id text,
      org_id text, feature text, tier text, model text, provider text, request_type text, conversation_id text,
      latency_ms int, metadata jsonb, usage_format text, input_tokens bigint, cached_input_tokens bigint,
      cache_write_tokens bigint, output_tokens bigint, reasoning_tokens bigint, audio_input_tokens bigint,
      audio_output_tokens bigint, total_tokens bigint, cost_nanos bigint, priced boolean, price_source text,
      occurred_at timestamptz, bucket timestamptz, dims text[], rkeys text[], text_input text, text_output text,
      text_expires_at timestamptz, settle_check text, settle_latest boolean, settle_feature text, outbox jsonb)
  ), keyed as (
    insert into event_keys (workspace_id, request_id, event_id, occurred_at)
    select workspace_id, request_id, id, occurred_at from input${one ? "" : " order by workspace_id, request_id"}
    on conflict do nothing
    returning event_id
  ), fresh as materialized (
    ${one ? "select i.* from input i where exists (select 1 from keyed)" : "select i.* from input i join keyed k on k.event_id = i.id"}
  ), targets as materialized (
    select f.id as event_id, coalesce(by_id.id, latest.id) as check_id
    from fresh f
    left join lateral (
      select r.id from reservations r
      where f.settle_check is not null and r.workspace_id = f.workspace_id and r.id = f.settle_check
      for update skip locked
    ) by_id on true
    left join lateral (
      select r.id from reservations r
      where f.settle_latest and r.workspace_id = f.workspace_id and r.user_id = f.user_id
        and r.expires_at > f.occurred_at and (f.settle_feature is null or r.feature = f.settle_feature)
      order by r.created_at desc limit 1
      for update skip locked
    ) latest on true
    where f.settle_check is not null or f.settle_latest
  ), settled as (
    delete from reservations r ${one ? "where r.id = (select t.check_id from targets t)" : "using targets t where r.id = t.check_id"}
    returning r.id, r.workspace_id, r.created_at, r.subjects, r.tokens, r.cost_nanos
  ), released as (${
    one
      ? `
    select s.workspace_id, u.subject, date_trunc('minute', s.created_at, 'UTC') as bucket, 1::bigint as requests,
      s.tokens::bigint as tokens, s.cost_nanos::bigint as cost_nanos
    from settled s cross join unnest(s.subjects) as u(subject)`
      : `
    select s.workspace_id, u.subject, date_trunc('minute', s.created_at, 'UTC') as bucket, count(*) as requests,
      sum(s.tokens)::bigint as tokens, sum(s.cost_nanos)::bigint as cost_nanos
    from settled s cross join unnest(s.subjects) as u(subject)
    group by 1, 2, 3`
  }
  ), rollups as (
    insert into usage_rollups (workspace_id, dimension, key, granularity, bucket, requests, input_tokens,
      cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost_nanos, unpriced_requests)${
        one
          ? `
    select f.workspace_id, d.dimension, d.key, 'minute', f.bucket, 1, f.input_tokens, f.cached_input_tokens,
      f.output_tokens, f.reasoning_tokens, f.total_tokens, f.cost_nanos, case when f.priced then 0 else 1 end
    from fresh f cross join unnest(f.dims, f.rkeys) as d(dimension, key)
    order by d.dimension, d.key`
          : `
    select f.workspace_id, d.dimension, d.key, 'minute', f.bucket, count(*), sum(f.input_tokens)::bigint,
      sum(f.cached_input_tokens)::bigint, sum(f.output_tokens)::bigint, sum(f.reasoning_tokens)::bigint,
      sum(f.total_tokens)::bigint, sum(f.cost_nanos)::bigint, count(*) filter (where not f.priced)
    from fresh f cross join unnest(f.dims, f.rkeys) as d(dimension, key)
    group by f.workspace_id, d.dimension, d.key, f.bucket
    order by f.workspace_id, d.dimension, d.key, f.bucket`
      }
    ${ADD_TO_ROLLUP_TEXT}
  ), unreserved as (
    insert into reservation_counters (workspace_id, subject, bucket, requests, tokens, cost_nanos)
    select d.workspace_id, d.subject, d.bucket, -d.requests, -d.tokens, -d.cost_nanos from released d
    where exists (select 1 from reservation_counters rc
      where rc.workspace_id = d.workspace_id and rc.subject = d.subject and rc.bucket = d.bucket)
    order by 1, 2, 3
    on conflict (workspace_id, subject, bucket) do update set
      requests = reservation_counters.requests + excluded.requests,
      tokens = reservation_counters.tokens + excluded.tokens,
      cost_nanos = reservation_counters.cost_nanos + excluded.cost_nanos
  ), end_user as (
    insert into end_users (workspace_id, user_id, org_id, tier, first_seen_at, last_seen_at, requests, total_tokens,
      cost_nanos, unpriced_requests)${
        one
          ? `
    select workspace_id, user_id, org_id, tier, occurred_at, occurred_at, 1, total_tokens, cost_nanos,
      case when priced then 0 else 1 end
    from fresh where user_id is not null`
          : `
    select workspace_id, user_id, (array_agg(org_id order by idx desc) filter (where org_id is not null))[1],
      (array_agg(tier order by idx desc) filter (where tier is not null))[1], min(occurred_at), max(occurred_at),
      count(*), sum(total_tokens)::bigint, sum(cost_nanos)::bigint, count(*) filter (where not priced)
    from fresh where user_id is not null
    group by workspace_id, user_id
    order by workspace_id, user_id`
      }
    on conflict (workspace_id, user_id) do update set
      org_id = coalesce(excluded.org_id, end_users.org_id),
      tier = coalesce(excluded.tier, end_users.tier),
      first_seen_at = least(end_users.first_seen_at, excluded.first_seen_at),
      last_seen_at = greatest(end_users.last_seen_at, excluded.last_seen_at),
      requests = end_users.requests + excluded.requests,
      total_tokens = end_users.total_tokens + excluded.total_tokens,
      cost_nanos = end_users.cost_nanos + excluded.cost_nanos,
      unpriced_requests = end_users.unpriced_requests + excluded.unpriced_requests
  ), ev as (
    insert into events (id, workspace_id, request_id, user_id, org_id, feature, tier, model, provider, request_type,
      conversation_id, latency_ms, metadata, usage_format, input_tokens, cached_input_tokens, cache_write_tokens,
      output_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens, total_tokens, cost_nanos, priced,
      price_source, occurred_at)
    select id, workspace_id, request_id, user_id, org_id, feature, tier, model, provider, request_type,
      conversation_id, latency_ms, metadata, usage_format, input_tokens, cached_input_tokens, cache_write_tokens,
      output_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens, total_tokens, cost_nanos, priced,
      price_source, occurred_at
    from fresh${one ? "" : " order by idx"}
${withTexts ? textsCte(one) : ""}  ), queued as (
    insert into outbox (workspace_id, name, payload)
    select workspace_id, '${EVENTS.eventRecorded}', outbox from fresh${one ? "" : " order by idx"}
  )
${
  one
    ? `  select f.idx, f.id, (select s.id from settled s) as settled
  from fresh f`
    : `  select f.idx, f.id, s.id as settled
  from fresh f
  left join targets t on t.event_id = f.id
  left join settled s on s.id = t.check_id`
}`;

const split = (text: string) => text.split("$1::json") as [string, string];
/** The statement's text around its one parameter, by [one record][with texts]. */
const STATEMENTS = [false, true].map((one) => [false, true].map((withTexts) => split(statementSql(withTexts, one))));

/** The statement that records `events` (one or many, all with distinct requestIds): see statementSql. */
export function insertEventsStatement(events: EventToInsert[]): SQL {
  const rows = JSON.stringify(events.map(inputRow));
  const [before, after] = STATEMENTS[events.length === 1 ? 1 : 0]![events.some((e) => e.labelText) ? 1 : 0]!;
  return sql`${sql.raw(before)}${rows}::json${sql.raw(after)}`;
}
