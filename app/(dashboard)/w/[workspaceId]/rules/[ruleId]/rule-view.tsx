"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { DateRangePicker } from "@/app/_components/date-range";
import { LiveIndicator } from "@/app/_components/live-indicator";
import { useSegmentNames } from "@/app/_components/segment-select";
import { EmptyState, ErrorState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Badge, Button, ButtonLink, Card, CardHeader, PageHeader } from "@/app/_components/ui";
import { lastUpdated, useLive, useLiveDateRange } from "@/app/_components/use-live";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";
import { SCOPES, WINDOWS } from "../rule-form";
import { describeLimit } from "../rules-view";
import { ShadowResult } from "../shadow-result";

/**
 * One rule and what it would have blocked: the counts its shadow evaluations recorded in the
 * range (kept after it is switched to enforce), the end users it would have denied, and the
 * switch to enforce.
 */
export function RuleView({ ruleId }: { ruleId: string }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const segmentNames = useSegmentNames();
  const live = useLive();
  const range = useLiveDateRange(live, "7d");
  const rules = useQuery(trpc.rules.list.queryOptions({ workspaceId: ws.id }));
  const shadow = useQuery({
    ...trpc.rules.shadow.queryOptions({ workspaceId: ws.id, id: ruleId, from: range.from, to: range.to }),
    ...live.options,
    placeholderData: keepPreviousData,
  });
  const enforce = useMutation(
    trpc.rules.update.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.rules.list.queryKey() }),
    }),
  );

  const rule = rules.data?.find((r) => r.id === ruleId);
  if (rules.isError) return <ErrorState error={rules.error} retry={() => rules.refetch()} />;
  if (rules.data && !rule) {
    return (
      <Card>
        <EmptyState
          title={`No rule ${ruleId}`}
          description="It may have been deleted."
          action={
            <ButtonLink href={`${ws.base}/rules`} variant="secondary">
              All rules
            </ButtonLink>
          }
        />
      </Card>
    );
  }
  const isShadow = rule?.mode === "shadow";
  return (
    <>
      <nav className="mb-2 text-sm text-slate-500">
        <Link href={`${ws.base}/rules`} className="hover:text-slate-900">
          Rules
        </Link>{" "}
        <span aria-hidden>/</span>
      </nav>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            {rule?.name ?? "…"}
            {rule && (isShadow ? <Badge color="violet">Shadow</Badge> : <Badge color="green">Enforcing</Badge>)}
            {rule && !rule.enabled && <Badge color="slate">Disabled</Badge>}
          </span>
        }
        description={
          rule
            ? [
                rule.match ? `${rule.scope} ${rule.match}` : SCOPES[rule.scope],
                ...Object.entries(rule.filters ?? {})
                  .filter(([, v]) => v)
                  .map(([k, v]) => `${k} = ${k === "segment" ? (segmentNames.get(v) ?? v) : v}`),
                `${describeLimit(rule)} / ${WINDOWS[rule.window].toLowerCase()}`,
                rule.action.replace("_", " "),
              ].join(" · ")
            : "Loading…"
        }
        actions={
          <>
            <LiveIndicator live={live} updatedAt={lastUpdated(shadow)} />
            <DateRangePicker fallback="7d" />
            {rule && isShadow && ws.can("rules.manage") && (
              <Button
                disabled={enforce.isPending}
                onClick={() =>
                  window.confirm(`Switch "${rule.name}" to enforce? It will start acting on checks at once.`) &&
                  enforce.mutate({ workspaceId: ws.id, id: rule.id, patch: { mode: "enforce" } })
                }
              >
                {enforce.isPending ? "Switching…" : "Switch to enforce"}
              </Button>
            )}
          </>
        }
      />
      {enforce.error ? (
        <div className="mb-4">
          <InlineError error={enforce.error} />
        </div>
      ) : null}
      <Card>
        <CardHeader
          title="What it would have blocked"
          description={
            isShadow
              ? `${range.label}, UTC. Every check this rule matched was evaluated; nobody was blocked by it.`
              : `${range.label}, UTC. This rule enforces now: these are the checks it evaluated while in shadow mode.`
          }
        />
        <div className="px-5 py-4">
          <QueryView
            query={shadow}
            loading={<LoadingRows rows={3} />}
            isEmpty={(d) => d.checks === 0}
            empty={
              <EmptyState
                title="It has evaluated nothing yet"
                description={
                  isShadow
                    ? "No check matched this rule in this range. Its counts appear here as checks arrive."
                    : "This rule was not in shadow mode during this range."
                }
              />
            }
          >
            {(d) => (
              <div className="space-y-3">
                {d.wouldDeny === 0 && (
                  <p className="text-sm text-slate-700" data-testid="shadow-denied-nobody">
                    It would have {rule?.action === "block" ? "denied" : "acted on"} nobody in this range.
                  </p>
                )}
                <ShadowResult report={d} blocks={rule?.action === "block"} linkUsers />
              </div>
            )}
          </QueryView>
        </div>
      </Card>
    </>
  );
}
