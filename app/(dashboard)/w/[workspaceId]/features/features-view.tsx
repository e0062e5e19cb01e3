"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { DateRangePicker, useDateRange } from "@/app/_components/date-range";
import { formatCompact, formatNumber, formatPercent, formatUsd, formatUsdExact } from "@/app/_components/format";
import { EmptyState, LoadingRows, QueryView } from "@/app/_components/states";
import { Pagination, Table, TBody, Td, Th } from "@/app/_components/table";
import { ButtonLink, Card, CardHeader, PageHeader, Select } from "@/app/_components/ui";
import { pageParam, useUrlState } from "@/app/_components/url-state";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC, type RouterOutputs } from "@/lib/trpc/client";

const PAGE_SIZE = 20;
type Row = RouterOutputs["usage"]["top"][number];
const DIMENSIONS = { feature: "Features", model: "Models", org: "Orgs", tier: "Tiers" } as const;
type Dim = keyof typeof DIMENSIONS;

/** Cost attribution by feature (or model, org, tier) over a range. */
export function FeaturesView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const range = useDateRange();
  const { get, set } = useUrlState();
  const dimension: Dim = (get("by") as Dim) in DIMENSIONS ? (get("by") as Dim) : "feature";
  const page = pageParam(get("page"));
  const top = useQuery(trpc.usage.top.queryOptions({ workspaceId: ws.id, dimension, from: range.from, to: range.to, limit: 1000 }));
  const total = useQuery(trpc.usage.query.queryOptions({ workspaceId: ws.id, from: range.from, to: range.to, interval: "day" }));
  const exportHref = `/api/export/usage?workspaceId=${ws.id}&dimension=${dimension}&from=${range.from.toISOString()}&to=${range.to.toISOString()}&interval=day`;
  const logsKey = dimension === "org" ? "orgId" : dimension;
  return (
    <>
      <PageHeader
        title="Features"
        description="Where the money goes: cost and usage per product surface that sent the call."
        actions={
          <>
            <DateRangePicker />
            <ButtonLink href={exportHref} variant="secondary" prefetch={false}>
              Export CSV
            </ButtonLink>
          </>
        }
      />
      <Card>
        <CardHeader
          title={`${DIMENSIONS[dimension]} · ${range.label}`}
          description="Share is of all requests' cost in the range, including calls without this field"
          actions={
            <Select
              aria-label="Group by"
              value={dimension}
              onChange={(e) => set({ by: e.target.value === "feature" ? null : e.target.value, page: null })}
              className="w-36 py-1.5 text-xs"
            >
              {Object.entries(DIMENSIONS).map(([k, v]) => (
                <option key={k} value={k}>
                  By {v.toLowerCase().replace(/s$/, "")}
                </option>
              ))}
            </Select>
          }
        />
        <QueryView
          query={top}
          loading={<LoadingRows rows={6} />}
          isEmpty={(d) => d.length === 0}
          empty={
            <EmptyState
              title={`No ${DIMENSIONS[dimension].toLowerCase()} in this range`}
              description={
                dimension === "feature" ? (
                  <>
                    Send <code className="rounded bg-slate-100 px-1">feature</code> with each check and record to attribute cost to product
                    surfaces.
                  </>
                ) : undefined
              }
            />
          }
        >
          {(rows) => {
            const allCost = total.data ? BigInt(total.data.totals.costNanos) : rows.reduce((s, r) => s + BigInt(r.costNanos), 0n);
            const allRequests = total.data?.totals.requests ?? rows.reduce((s, r) => s + r.requests, 0);
            const visible = rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
            return (
              <>
                <Table>
                  <thead>
                    <tr>
                      <Th>{DIMENSIONS[dimension].replace(/s$/, "")}</Th>
                      <Th align="right">Requests</Th>
                      <Th align="right">Tokens</Th>
                      <Th align="right">Cost</Th>
                      <Th align="right">Cost / request</Th>
                      <Th className="w-1/4">Share of cost</Th>
                    </tr>
                  </thead>
                  <TBody>
                    {visible.map((r: Row) => {
                      const share =
                        allCost > 0n
                          ? Number((BigInt(r.costNanos) * 10_000n) / allCost) / 100
                          : allRequests
                            ? (r.requests / allRequests) * 100
                            : 0;
                      return (
                        <tr key={r.key} className="hover:bg-slate-50">
                          <Td>
                            <Link
                              href={`${ws.base}/logs?${logsKey}=${encodeURIComponent(r.key)}`}
                              className="font-medium text-slate-900 hover:text-indigo-600"
                            >
                              {r.key}
                            </Link>
                          </Td>
                          <Td align="right">{formatNumber(r.requests)}</Td>
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
                          <Td align="right">{r.requests ? formatUsd((BigInt(r.costNanos) / BigInt(r.requests)).toString()) : "—"}</Td>
                          <Td>
                            <div className="flex items-center gap-2">
                              <div className="h-2 flex-1 rounded-full bg-slate-100">
                                <div className="h-2 rounded-full bg-indigo-500" style={{ width: `${Math.min(100, share)}%` }} />
                              </div>
                              <span className="w-12 text-right text-xs tabular-nums text-slate-500">
                                {allCost > 0n
                                  ? formatPercent(Number(BigInt(r.costNanos)), Number(allCost))
                                  : formatPercent(r.requests, allRequests)}
                              </span>
                            </div>
                          </Td>
                        </tr>
                      );
                    })}
                  </TBody>
                </Table>
                {rows.length > PAGE_SIZE && (
                  <Pagination page={page} pageSize={PAGE_SIZE} total={rows.length} onPage={(p) => set({ page: p > 1 ? p : null })} />
                )}
              </>
            );
          }}
        </QueryView>
      </Card>
    </>
  );
}
