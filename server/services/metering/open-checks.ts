import { sql } from "drizzle-orm";
import { resultRows, type Queryable } from "@/db/client";
import type { TRecordInput } from "@/server/contract/sdk";
import { estimateTextTokens } from "../guardrails/estimate";
import { labelTextOf } from "../intent/label-text";

/** An allowed check that no record has settled yet (a `reservations` row). */
export interface OpenCheck {
  id: string;
  /** The end user it was made for. */
  userId: string;
  model: string | null;
  feature: string | null;
  tier: string | null;
  orgId: string | null;
  requestType: string | null;
  /** The check's estimate of the prompt's tokens. */
  tokens: number;
}

type TRow = {
  id: string;
  user_id: string;
  model: string | null;
  feature: string | null;
  tier: string | null;
  org_id: string | null;
  request_type: string | null;
  tokens: string | number;
};

/**
 * The check a record follows: the one named by `checkId`, else the user's latest open check
 * (of the same feature, when the record names one). Latest, not oldest: a check whose call
 * never recorded then ages out on its own instead of being settled by every later record.
 */
export async function findOpenCheck(
  db: Queryable,
  workspaceId: string,
  q: { checkId?: string | null; userId?: string | null; feature?: string | null; now: Date },
): Promise<OpenCheck | null> {
  const at = q.now.toISOString();
  const cols = sql`id, user_id, model, feature, tier, org_id, request_type, tokens`;
  const query = q.checkId
    ? sql`select ${cols} from reservations where workspace_id = ${workspaceId} and id = ${q.checkId} and expires_at > ${at}::timestamptz`
    : sql`select ${cols} from reservations where workspace_id = ${workspaceId} and user_id = ${q.userId!}
        ${q.feature ? sql`and feature = ${q.feature}` : sql``} and expires_at > ${at}::timestamptz
        order by created_at desc limit 1`;
  if (!q.checkId && !q.userId) return null;
  const [row] = resultRows<TRow>(await db.execute(query));
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    model: row.model,
    feature: row.feature,
    tier: row.tier,
    orgId: row.org_id,
    requestType: row.request_type,
    tokens: Number(row.tokens),
  };
}

/**
 * Usage for a record that has none (a stream left early): the prompt as the check estimated it
 * (or the record's own input text), and the output text received so far, tokenised.
 */
export function estimatedUsage(check: OpenCheck | null, input: TRecordInput["input"], output: string | null) {
  const text = labelTextOf(input, null);
  const inputTokens = check && check.tokens > 0 ? check.tokens : text?.input ? estimateTextTokens(text.input) : 0;
  const outputTokens = output ? estimateTextTokens(output) : 0;
  return { inputTokens, outputTokens };
}
