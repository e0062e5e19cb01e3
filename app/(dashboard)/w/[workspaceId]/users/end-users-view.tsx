"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { formatCompact, formatNumber, formatRelative, formatUsd, formatUsdExact } from "@/app/_components/format";
import { SearchInput } from "@/app/_components/search-input";
import { EmptyState, QueryView, LoadingRows } from "@/app/_components/states";
import { Pagination, Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Card, PageHeader, cx } from "@/app/_components/ui";
import { pageParam, useUrlState } from "@/app/_components/url-state";
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
  const users = useQuery({
    ...trpc.endUsers.list.queryOptions({
      workspaceId: ws.id,
      search: search || undefined,
      sort,
      dir,
      blockedOnly,
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
      <PageHeader title="End users" description="Your product's users, as named by the userId your backend sends. All-time totals." />
      <Card>
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
            search || blockedOnly ? (
              <EmptyState title="No end users match" description="Try another search, or clear the filters." />
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
    </>
  );
}
