"use client";

import { useQuery } from "@tanstack/react-query";
import { formatNumber, formatUsd, formatUsdExact } from "@/app/_components/format";
import { EmptyState, LoadingRows, QueryView } from "@/app/_components/states";
import { Card, CardHeader } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

/** What labelling with an LLM cost this calendar month (UTC): calls, tokens and dollars. */
export function LlmCostCard() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const cost = useQuery(trpc.labels.llmCost.queryOptions({ workspaceId: ws.id }));
  return (
    <Card data-testid="llm-labelling-cost">
      <CardHeader title="LLM labelling cost" description="This calendar month, UTC; priced at the model's list price" />
      <QueryView
        query={cost}
        loading={<LoadingRows rows={1} />}
        // Nothing configured and nothing spent: there is no cost to show, only how labelling works.
        isEmpty={(c) => !c.configured && c.calls === 0}
        empty={
          <EmptyState
            title="No LLM configured"
            description="The built-in classifier labels every event, in-process and at no cost. Set OPENAI_API_KEY (and optionally TOKENIST_INTENT_MODEL) on the server to label with an LLM."
          />
        }
      >
        {(c) => (
          <div className="space-y-1 px-5 py-4 text-sm text-slate-600">
            <p>
              LLM labelling this month: <b className="font-semibold text-slate-900 tabular-nums">{formatNumber(c.calls)}</b>{" "}
              {c.calls === 1 ? "call" : "calls"}, <b className="font-semibold text-slate-900 tabular-nums">{formatNumber(c.totalTokens)}</b>{" "}
              tokens,{" "}
              <b className="font-semibold text-slate-900 tabular-nums" title={formatUsdExact(c.costNanos)}>
                {formatUsd(c.costNanos)}
              </b>
            </p>
            <p className="text-xs text-slate-500">
              {c.configured ? `Model ${c.model}. ` : "No LLM is configured now: the built-in classifier labels. "}
              {formatNumber(c.promptTokens)} prompt and {formatNumber(c.completionTokens)} completion tokens.
              {c.unpricedCalls > 0 && ` ${formatNumber(c.unpricedCalls)} calls of a model without a known price are counted at $0.`}
            </p>
          </div>
        )}
      </QueryView>
    </Card>
  );
}
