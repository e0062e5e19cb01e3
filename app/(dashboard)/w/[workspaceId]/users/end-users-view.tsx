"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { DateRangePicker, useDateRange } from "@/app/_components/date-range";
import { Modal } from "@/app/_components/modal";
import { SegmentForm } from "./segment-form";
import { formatCompact, formatNumber, formatRelative, formatUsd, formatUsdExact } from "@/app/_components/format";
import { SearchInput } from "@/app/_components/search-input";
import { EmptyState, QueryView, LoadingRows } from "@/app/_components/states";
import { Pagination, Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, Card, PageHeader, cx } from "@/app/_components/ui";
import { pageParam, useUrlState } from "@/app/_components/url-state";
import { SegmentSelect } from "@/app/_components/segment-select";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

const SORTS = ["cost", "requests", "tokens", "lastSeen", "firstSeen", "userId"] as const;
type Sort = (typeof SORTS)[number];
const PAGE_SIZE = 25;

export function EndUsersView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const { get, set } = useUrlState();
  const search = get("q") ?? "";
  const sort: Sort = SORTS.includes(get("sort") as Sort) ? (get("sort") as Sort) : "cost";
  const dir = get("dir") === "asc" ? "asc" : "desc";
  const blockedOnly = get("blocked") === "1";
  const page = pageParam(get("page"));
  const segment = get("segment");
  // Totals are all-time until a date range is chosen; then they are the range's, for those active in it.
  const ranged = Boolean(get("range") || (get("from") && get("to")));
  const range = useDateRange();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<"new" | "edit" | null>(null);
  const segments = useQuery(trpc.segments.list.queryOptions({ workspaceId: ws.id }));
  const current = segments.data?.find((s) => s.id === segment);
  const remove = useMutation(
    trpc.segments.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.segments.pathKey() });
        set({ segment: null, page: null });
      },
    }),
  );
  const users = useQuery({
    ...trpc.endUsers.list.queryOptions({
      workspaceId: ws.id,
      search: search || undefined,
      sort,
      dir,
      blockedOnly,
      segment: segment || undefined,
      ...(ranged && { from: range.from, to: range.to }),
      page,
      pageSize: PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });

  const header = (key: Sort, label: string, align: "left" | "right" = "right") => (
    <Th align={align}>
      <button
        type="button"
        className={cx("inline-flex items-center gap-1 uppercase hover:text-slate-900", sort === key && "text-slate-900")}
        onClick={() => set({ sort: key, dir: sort === key && dir === "desc" ? "asc" : "desc", page: null })}
      >
        {label}
        <span aria-hidden className="text-[10px]">
          {sort === key ? (dir === "desc" ? "▼" : "▲") : ""}
        </span>
      </button>
    </Th>
  );

  return (
    <>
      <PageHeader
        title="End users"
        description={
          ranged
            ? `Your product's users, as named by the userId your backend sends. Totals for ${range.label.toLowerCase()}, end users active in it.`
            : "Your product's users, as named by the userId your backend sends. All-time totals."
        }
        actions={
          <div className="flex flex-wrap items-center gap-2">
            {ranged ? (
              <>
                <DateRangePicker />
                <Button variant="secondary" size="sm" onClick={() => set({ range: null, from: null, to: null, page: null })}>
                  All time
                </Button>
              </>
            ) : (
              <Button variant="secondary" size="sm" onClick={() => set({ range: "30d", page: null })}>
                Totals for a date range…
              </Button>
            )}
          </div>
        }
      />
      <Card>
        <div className="flex flex-wrap items-center gap-3 border-b border-slate-100 bg-slate-50/60 px-4 py-3">
          <label className="flex items-center gap-2 text-sm text-slate-600">
            Segment
            <SegmentSelect value={segment} onChange={(id) => set({ segment: id, page: null })} className="w-56" />
          </label>
          {ws.can("segments.manage") && (
            <Button variant="secondary" size="sm" onClick={() => setEditing("new")}>
              New segment
            </Button>
          )}
          {ws.can("segments.manage") && current && (
            <>
              <Button variant="secondary" size="sm" onClick={() => setEditing("edit")}>
                Edit
              </Button>
              <Button
                variant="secondary"
                size="sm"
                disabled={remove.isPending}
                onClick={() => {
                  if (window.confirm(`Delete the segment "${current.name}"?`)) remove.mutate({ workspaceId: ws.id, id: current.id });
                }}
              >
                Delete
              </Button>
            </>
          )}
          {current && (
            <span className="text-xs text-slate-500" title={JSON.stringify(current.filter)}>
              {describeFilter(current.filter)}
            </span>
          )}
          {current && (
            <span className="ml-auto flex items-center gap-3 text-sm">
              <Link href={`${ws.base}/cohorts?segment=${current.id}`} className="font-medium text-indigo-600 hover:text-indigo-500">
                Cohorts →
              </Link>
              <Link href={`${ws.base}/breakdown?segment=${current.id}`} className="font-medium text-indigo-600 hover:text-indigo-500">
                Breakdown →
              </Link>
            </span>
          )}
          {remove.error && <span className="text-xs text-red-600">{remove.error.message}</span>}
        </div>
        <div className="flex flex-wrap items-center gap-3 border-b border-slate-100 px-4 py-3">
          <SearchInput
            label="Search end users"
            placeholder="Search user or org id…"
            value={search}
            onChange={(v) => set({ q: v, page: null })}
            className="w-full max-w-xs"
          />
          <label className="flex items-center gap-2 text-sm text-slate-600">
            <input
              type="checkbox"
              checked={blockedOnly}
              onChange={(e) => set({ blocked: e.target.checked ? "1" : null, page: null })}
              className="h-4 w-4 rounded border-slate-300 text-indigo-600"
            />
            Blocked only
          </label>
          {users.isFetching && !users.isPending && <span className="text-xs text-slate-400">Updating…</span>}
        </div>
        <QueryView
          query={users}
          loading={<LoadingRows rows={8} />}
          isEmpty={(d) => d.total === 0}
          empty={
            search || blockedOnly || segment || ranged ? (
              <EmptyState
                title="No end users match"
                description={
                  segment
                    ? "Nobody in this segment matches right now. Widen the segment, the date range or the search."
                    : "Try another search, a longer date range, or clear the filters."
                }
              />
            ) : (
              <EmptyState
                title="No end users yet"
                description="End users appear here after your backend records its first LLM call with a userId."
              />
            )
          }
        >
          {(data) => (
            <>
              <Table>
                <thead>
                  <tr>
                    {header("userId", "User", "left")}
                    <Th>Org / tier</Th>
                    {header("requests", "Requests")}
                    {header("tokens", "Tokens")}
                    {header("cost", "Cost")}
                    {header("lastSeen", "Last seen")}
                    <Th>Status</Th>
                  </tr>
                </thead>
                <TBody>
                  {data.rows.map((u) => (
                    <tr
                      key={u.userId}
                      className="cursor-pointer hover:bg-slate-50"
                      onClick={() => router.push(`${ws.base}/users/${encodeURIComponent(u.userId)}`)}
                    >
                      <Td>
                        <Link
                          href={`${ws.base}/users/${encodeURIComponent(u.userId)}`}
                          className="font-medium text-slate-900 hover:text-indigo-600"
                          onClick={(e) => e.stopPropagation()}
                        >
                          {u.userId}
                        </Link>
                      </Td>
                      <Td className="text-slate-500">
                        {u.orgId ?? "—"}
                        {u.tier && (
                          <span className="ml-2">
                            <Badge>{u.tier}</Badge>
                          </span>
                        )}
                      </Td>
                      <Td align="right">{formatNumber(u.requests)}</Td>
                      <Td align="right" title={formatNumber(u.totalTokens)}>
                        {formatCompact(u.totalTokens)}
                      </Td>
                      <Td align="right" title={formatUsdExact(u.costNanos)} className="font-medium text-slate-900">
                        {formatUsd(u.costNanos)}
                        {u.unpricedRequests > 0 && (
                          <span className="ml-1 text-amber-600" title={`${u.unpricedRequests} unpriced requests`}>
                            *
                          </span>
                        )}
                      </Td>
                      <Td align="right" className="text-slate-500">
                        {formatRelative(u.lastSeenAt)}
                      </Td>
                      <Td>
                        {u.blocked ? (
                          <Badge color="red" title={u.blockedUntil ? `until ${new Date(u.blockedUntil).toLocaleString()}` : "no expiry"}>
                            Blocked{u.blockedUntil ? ` · ${formatRelative(u.blockedUntil)}` : ""}
                          </Badge>
                        ) : (
                          <Badge color="green">Active</Badge>
                        )}
                      </Td>
                    </tr>
                  ))}
                </TBody>
              </Table>
              <Pagination page={page} pageSize={PAGE_SIZE} total={data.total} onPage={(p) => set({ page: p > 1 ? p : null })} />
            </>
          )}
        </QueryView>
      </Card>
      <Modal
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "edit" ? `Edit segment: ${current?.name ?? ""}` : "New segment"}
        wide
      >
        <SegmentForm
          initial={editing === "edit" && current ? current : undefined}
          onDone={(id) => {
            setEditing(null);
            set({ segment: id, page: null });
          }}
        />
      </Modal>
    </>
  );
}

/** One line saying who a segment holds. */
export function describeFilter(f: Record<string, unknown>): string {
  const parts: string[] = [];
  if (f.tier) parts.push(`tier ${f.tier}`);
  if (f.orgId) parts.push(`org ${f.orgId}`);
  if (f.feature) parts.push(`used ${f.feature}`);
  if (Array.isArray(f.labels)) parts.push(`labelled ${f.labels.join(" or ")} within ${f.labelWithinDays ?? 30} d`);
  if (f.minCostUsd !== undefined || f.maxCostUsd !== undefined) {
    const span = `${f.costWithinDays ?? 30} d`;
    if (f.minCostUsd !== undefined && f.maxCostUsd !== undefined) parts.push(`spent $${f.minCostUsd}–$${f.maxCostUsd} in ${span}`);
    else if (f.minCostUsd !== undefined) parts.push(`spent ≥ $${f.minCostUsd} in ${span}`);
    else parts.push(`spent ≤ $${f.maxCostUsd} in ${span}`);
  }
  if (f.activeWithinDays) parts.push(`active within ${f.activeWithinDays} d`);
  if (f.firstSeenAfter) parts.push(`first seen from ${String(f.firstSeenAfter).slice(0, 10)}`);
  if (f.firstSeenBefore) parts.push(`first seen before ${String(f.firstSeenBefore).slice(0, 10)}`);
  if (f.blocked !== undefined) parts.push(f.blocked ? "blocked" : "not blocked");
  return parts.length ? parts.join(" · ") : "every end user";
}
