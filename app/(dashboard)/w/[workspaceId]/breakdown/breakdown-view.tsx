"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { DateRangePicker, useDateRange } from "@/app/_components/date-range";
import { formatCompact, formatNumber, formatUsd, formatUsdExact } from "@/app/_components/format";
import { EmptyState, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Button, ButtonLink, Card, CardHeader, cx, PageHeader } from "@/app/_components/ui";
import { useUrlState } from "@/app/_components/url-state";
import { SegmentSelect } from "@/app/_components/segment-select";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC, type RouterOutputs } from "@/lib/trpc/client";

const PAGE_SIZE = 100;
const DIMENSIONS = [
  { id: "user", label: "End user", field: "userId" },
  { id: "org", label: "Org", field: "orgId" },
  { id: "feature", label: "Feature", field: "feature" },
  { id: "model", label: "Model", field: "model" },
  { id: "tier", label: "Tier", field: "tier" },
] as const;
type Dim = (typeof DIMENSIONS)[number]["id"];
type Row = RouterOutputs["breakdown"]["query"]["data"][number];

/** `?by=user,feature` → the dimensions in the order chosen, unknown and repeated ones dropped. */
function parseBy(value: string | undefined): Dim[] {
  const known = new Set<string>(DIMENSIONS.map((d) => d.id));
  const by = (value ?? "user").split(",").filter((d, i, all) => known.has(d) && all.indexOf(d) === i) as Dim[];
  return by.length ? by : ["user"];
}

/** A pivot of usage by any combination of dimensions, for chargebacks and budgets. */
export function BreakdownView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const range = useDateRange();
  const { get, set } = useUrlState();
  const by = parseBy(get("by"));
  const segment = get("segment");
  const input = { workspaceId: ws.id, by, from: range.from, to: range.to, segment, limit: PAGE_SIZE };
  const rows = useInfiniteQuery(
    trpc.breakdown.query.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const toggle = (d: Dim) => {
    const next = by.includes(d) ? by.filter((x) => x !== d) : [...by, d];
    if (next.length) set({ by: next.join(",") });
  };
  const exportHref =
    `/api/export/breakdown?workspaceId=${ws.id}&by=${by.join(",")}&from=${range.from.toISOString()}&to=${range.to.toISOString()}` +
    (segment ? `&segment=${encodeURIComponent(segment)}` : "");
  const columns = by.map((d) => DIMENSIONS.find((x) => x.id === d)!);
  return (
    <>
      <PageHeader
        title="Breakdown"
        description="Usage and cost by any combination of end user, org, feature, model and tier: for chargebacks and budgets."
        actions={
          <>
            <DateRangePicker />
            <ButtonLink href={exportHref} variant="secondary" prefetch={false}>
              Download CSV
            </ButtonLink>
          </>
        }
      />
      <Card>
        <CardHeader
          title={`By ${columns.map((c) => c.label.toLowerCase()).join(", ")} · ${range.label}`}
          description="Rows by cost, highest first; columns in the order the dimensions were chosen"
          actions={<SegmentSelect value={segment} onChange={(id) => set({ segment: id })} className="w-44 py-1.5 text-xs" />}
        />
        <fieldset className="flex flex-wrap items-center gap-2 border-b border-slate-100 px-5 py-3" aria-label="Group by">
          <span className="text-xs font-medium text-slate-500">Group by</span>
          {DIMENSIONS.map((d) => {
            const at = by.indexOf(d.id);
            return (
              <button
                key={d.id}
                type="button"
                aria-pressed={at >= 0}
                onClick={() => toggle(d.id)}
                className={cx(
                  "rounded-full px-3 py-1 text-xs font-medium ring-1 transition",
                  at >= 0 ? "bg-indigo-600 text-white ring-indigo-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50",
                )}
              >
                {at >= 0 && by.length > 1 ? `${at + 1}. ` : ""}
                {d.label}
              </button>
            );
          })}
        </fieldset>
        <QueryView
          query={rows}
          loading={<LoadingRows rows={6} />}
          isEmpty={(d) => d.pages[0]?.data.length === 0}
          empty={<EmptyState title="No usage in this range" description="Record calls, or choose a longer range or another segment." />}
        >
          {(d) => {
            const all: Row[] = d.pages.flatMap((p) => p.data);
            const complete = !rows.hasNextPage;
            return (
              <>
                <Table>
                  <thead>
                    <tr>
                      {columns.map((c) => (
                        <Th key={c.id}>{c.label}</Th>
                      ))}
                      <Th align="right">Requests</Th>
                      <Th align="right">Input tokens</Th>
                      <Th align="right">Output tokens</Th>
                      <Th align="right">Total tokens</Th>
                      <Th align="right">Cost</Th>
                    </tr>
                  </thead>
                  <TBody>
                    {all.map((r) => (
                      <tr key={columns.map((c) => String(r[c.field])).join("\u0000")} className="hover:bg-slate-50">
                        {columns.map((c) => (
                          <Td key={c.id} className={r[c.field] === null ? "text-slate-400" : "font-medium text-slate-900"}>
                            {r[c.field] ?? "(none)"}
                          </Td>
                        ))}
                        <Td align="right">{formatNumber(r.requests)}</Td>
                        <Td align="right" title={formatNumber(r.inputTokens)}>
                          {formatCompact(r.inputTokens)}
                        </Td>
                        <Td align="right" title={formatNumber(r.outputTokens)}>
                          {formatCompact(r.outputTokens)}
                        </Td>
                        <Td align="right" title={formatNumber(r.totalTokens)}>
                          {formatCompact(r.totalTokens)}
                        </Td>
                        <Td align="right" className="font-medium text-slate-900" title={formatUsdExact(r.costNanos)}>
                          {formatUsd(r.costNanos)}
                          {r.unpricedRequests > 0 && (
                            <span className="ml-1 text-amber-600" title={`${r.unpricedRequests} unpriced requests`}>
                              *
                            </span>
                          )}
                        </Td>
                      </tr>
                    ))}
                  </TBody>
                  <Totals rows={all} span={columns.length} complete={complete} />
                </Table>
                {rows.hasNextPage && (
                  <div className="flex justify-center border-t border-slate-100 px-5 py-3">
                    <Button variant="secondary" size="sm" onClick={() => rows.fetchNextPage()} disabled={rows.isFetchingNextPage}>
                      {rows.isFetchingNextPage ? "Loading…" : `Load ${PAGE_SIZE} more`}
                    </Button>
                  </div>
                )}
              </>
            );
          }}
        </QueryView>
      </Card>
    </>
  );
}

/** The sums of the rows shown: the whole breakdown once every page is loaded. */
function Totals({ rows, span, complete }: { rows: Row[]; span: number; complete: boolean }) {
  const sum = (f: (r: Row) => number) => rows.reduce((s, r) => s + f(r), 0);
  const cost = rows.reduce((s, r) => s + BigInt(r.costNanos), 0n);
  return (
    <tfoot className="border-t-2 border-slate-200 bg-slate-50 text-sm font-semibold text-slate-900">
      <tr>
        <Td colSpan={span} className="font-semibold text-slate-900">
          {complete ? `Total (${formatNumber(rows.length)} rows)` : `Total of the ${formatNumber(rows.length)} rows shown`}
        </Td>
        <Td align="right">{formatNumber(sum((r) => r.requests))}</Td>
        <Td align="right">{formatNumber(sum((r) => r.inputTokens))}</Td>
        <Td align="right">{formatNumber(sum((r) => r.outputTokens))}</Td>
        <Td align="right">{formatNumber(sum((r) => r.totalTokens))}</Td>
        <Td align="right" title={formatUsdExact(cost)}>
          {formatUsd(cost)}
        </Td>
      </tr>
    </tfoot>
  );
}
