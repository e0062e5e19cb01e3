import { sql, type SQL } from "drizzle-orm";
import type { Dimension } from "@/db/schema";
import { EVENTS } from "@/server/events/catalogue";
import { enqueueFrom } from "@/server/events/publish";
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

/**
 * The upsert tail that adds a row's counters to an existing rollup bucket. Shared by
 * recording (minute buckets) and compaction (hour buckets): one definition of "add".
 */
export const ADD_TO_ROLLUP = sql.raw(`on conflict (workspace_id, dimension, key, granularity, bucket) do update set
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
          .join(",\n        ")}`);

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

/**
 * One statement with data-modifying CTEs: insert the event (or nothing, on a duplicate
 * requestId), and only when it was inserted settle its check (by checkId, else the end user's
 * latest open one), add to the minute rollups, update the end user, keep the text for the
 * labeller and write the outbox entry. Returns the event id and the settled check's id, or no
 * row for a duplicate. Values are bound as text with casts: postgres.js cannot bind Dates or
 * bigints inside raw statements.
 */
export function insertEventStatement(e: EventToInsert): SQL {
  const t = e.tokens;
  const at = e.occurredAt.toISOString();
  const bucket = e.bucket.toISOString();
  const cost = e.costNanos.toString();
  const unpriced = e.priced ? 0 : 1;
  const keys = [...rollupKeys(e), ...(e.ruleKeys ?? [])].map(([d, k]) => sql`(${d}, ${k})`);
  const recorded = enqueueFrom("ev", EVENTS.eventRecorded, e.workspaceId, {
    eventId: e.id,
    requestId: e.requestId,
    userId: e.userId,
    conversationId: e.conversationId,
    hasText: e.hasText,
  });
  const which =
    e.settle && "checkId" in e.settle
      ? sql`select id from reservations where workspace_id = ${e.workspaceId} and id = ${e.settle.checkId}
          and exists (select 1 from ev) for update skip locked`
      : e.settle && e.userId
        ? sql`select id from reservations
            where workspace_id = ${e.workspaceId} and user_id = ${e.userId} and expires_at > ${at}::timestamptz
              ${e.settle.latestOf.feature ? sql`and feature = ${e.settle.latestOf.feature}` : sql``}
              and exists (select 1 from ev)
            order by created_at desc limit 1 for update skip locked`
        : null;
  const settle = which
    ? sql`, settled as (
        delete from reservations where id = (${which})
        returning id, created_at, subjects, tokens, cost_nanos)
      , unreserved as (
        update reservation_counters rc set requests = rc.requests - 1, tokens = rc.tokens - s.tokens,
          cost_nanos = rc.cost_nanos - s.cost_nanos
        from settled s
        where rc.workspace_id = ${e.workspaceId} and rc.subject = any(s.subjects)
          and rc.bucket = date_trunc('minute', s.created_at, 'UTC'))`
    : sql``;
  const settledId = which ? sql`(select id from settled)` : sql`null::text`;
  const endUser = e.userId
    ? sql`, end_user as (
        insert into end_users (workspace_id, user_id, org_id, tier, first_seen_at, last_seen_at, requests, total_tokens, cost_nanos, unpriced_requests)
        select ${e.workspaceId}, ${e.userId}, ${e.orgId}, ${e.tier}, ${at}::timestamptz, ${at}::timestamptz, 1, ${t.total}, ${cost}::bigint, ${unpriced} from ev
        on conflict (workspace_id, user_id) do update set
          org_id = coalesce(excluded.org_id, end_users.org_id),
          tier = coalesce(excluded.tier, end_users.tier),
          first_seen_at = least(end_users.first_seen_at, excluded.first_seen_at),
          last_seen_at = greatest(end_users.last_seen_at, excluded.last_seen_at),
          requests = end_users.requests + 1,
          total_tokens = end_users.total_tokens + excluded.total_tokens,
          cost_nanos = end_users.cost_nanos + excluded.cost_nanos,
          unpriced_requests = end_users.unpriced_requests + excluded.unpriced_requests)`
    : sql``;
  const labelText = e.labelText
    ? sql`, texts as (
        insert into event_texts (event_id, workspace_id, user_id, conversation_id, input, output, occurred_at, expires_at)
        select id, ${e.workspaceId}, ${e.userId}, ${e.conversationId}, ${e.labelText.input}, ${e.labelText.output},
          ${at}::timestamptz, ${e.labelText.expiresAt.toISOString()}::timestamptz from ev)`
    : sql``;
  return sql`with ev as (
      insert into events (id, workspace_id, request_id, user_id, org_id, feature, tier, model, provider, request_type,
        conversation_id, latency_ms, metadata, usage_format, input_tokens, cached_input_tokens, cache_write_tokens,
        output_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens, total_tokens, cost_nanos, priced,
        price_source, occurred_at)
      values (${e.id}, ${e.workspaceId}, ${e.requestId}, ${e.userId}, ${e.orgId}, ${e.feature}, ${e.tier}, ${e.model},
        ${e.provider}, ${e.requestType}, ${e.conversationId}, ${e.latencyMs},
        ${e.metadata === null ? null : JSON.stringify(e.metadata)}::jsonb, ${e.usageFormat}, ${t.input}, ${t.cachedInput},
        ${t.cacheWrite}, ${t.output}, ${t.reasoning}, ${t.audioInput}, ${t.audioOutput}, ${t.total}, ${cost}::bigint,
        ${e.priced}, ${e.priceSource}, ${at}::timestamptz)
      on conflict (workspace_id, request_id) do nothing
      returning id
    )${settle}, rollups as (
      insert into usage_rollups (workspace_id, dimension, key, granularity, bucket, requests, input_tokens,
        cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost_nanos, unpriced_requests)
      select ${e.workspaceId}, d.dimension, d.key, 'minute', ${bucket}::timestamptz, 1, ${t.input}, ${t.cachedInput},
        ${t.output}, ${t.reasoning}, ${t.total}, ${cost}::bigint, ${unpriced}
      from ev, (values ${sql.join(keys, sql`, `)}) as d(dimension, key)
      ${ADD_TO_ROLLUP}
    )${endUser}${labelText}, queued as (${recorded})
    select id, ${settledId} as settled from ev`;
}
