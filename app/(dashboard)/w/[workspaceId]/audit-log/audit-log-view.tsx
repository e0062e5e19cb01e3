"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { DateRangePicker, useDateRange } from "@/app/_components/date-range";
import { formatDateTime } from "@/app/_components/format";
import { EmptyState, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, ButtonLink, Card, PageHeader } from "@/app/_components/ui";
import { useUrlState } from "@/app/_components/url-state";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC, type RouterOutputs } from "@/lib/trpc/client";
import { AUDIT_FILTER_KEYS, AuditFilters, type TAuditFilterValues } from "./audit-filters";

const PAGE_SIZE = 50;
type Row = RouterOutputs["auditLogs"]["list"]["data"][number];

const ACTOR_BADGE = { member: "indigo", api_key: "amber", system: "slate" } as const;
const ACTOR_NAME = { member: "Member", api_key: "API key", system: "System" } as const;

/** Every change made in the workspace: by whom (member, API key, automation), what, on what, when. */
export function AuditLogView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const range = useDateRange();
  const { get } = useUrlState();
  const [open, setOpen] = useState<Set<string>>(new Set());
  const filters = Object.fromEntries(AUDIT_FILTER_KEYS.flatMap((k) => (get(k) ? [[k, get(k)!]] : []))) as TAuditFilterValues;
  const input = { workspaceId: ws.id, ...filters, from: range.from, to: range.to, limit: PAGE_SIZE } as Parameters<
    typeof trpc.auditLogs.list.infiniteQueryOptions
  >[0];
  const rows = useInfiniteQuery(
    trpc.auditLogs.list.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const exportQuery = new URLSearchParams({ workspaceId: ws.id, ...filters, from: range.from.toISOString(), to: range.to.toISOString() });
  const filtered = Object.keys(filters).length > 0;
  const toggle = (id: string) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made in this workspace, from the dashboard, the API and automations, newest first. Secrets never appear."
        actions={
          <>
            <DateRangePicker />
            <ButtonLink href={`/api/export/audit-logs?${exportQuery}`} variant="secondary" prefetch={false}>
              Download CSV
            </ButtonLink>
          </>
        }
      />
      <Card>
        <AuditFilters />
        <QueryView
          query={rows}
          loading={<LoadingRows rows={8} label="Loading the audit log…" />}
          isEmpty={(d) => d.pages[0]?.data.length === 0}
          empty={
            filtered ? (
              <EmptyState title="No changes match these filters" description="Widen the date range or clear a filter." />
            ) : (
              <EmptyState title="No changes in this range" description="Changes to rules, keys, members, settings and more appear here." />
            )
          }
        >
          {(d) => {
            const all: Row[] = d.pages.flatMap((p) => p.data);
            return (
              <>
                <Table>
                  <thead>
                    <tr>
                      <Th>When</Th>
                      <Th>Who</Th>
                      <Th>Action</Th>
                      <Th>Target</Th>
                      <Th align="right">Details</Th>
                    </tr>
                  </thead>
                  <TBody>
                    {all.map((r) => (
                      <Fragment key={r.id}>
                        <tr className="hover:bg-slate-50" data-testid="audit-row">
                          <Td title={r.at}>{formatDateTime(r.at)}</Td>
                          <Td>
                            <span className="flex items-center gap-2">
                              <Badge color={ACTOR_BADGE[r.actor.type]}>{ACTOR_NAME[r.actor.type]}</Badge>
                              <span className="font-medium text-slate-900" title={r.actor.id ?? undefined}>
                                {r.actor.label}
                              </span>
                            </span>
                          </Td>
                          <Td className="font-mono text-xs text-slate-900">{r.action}</Td>
                          <Td className="text-xs">
                            {r.targetType ? (
                              <>
                                <span className="text-slate-500">{r.targetType}</span>{" "}
                                <span className="font-mono text-slate-700">{r.targetId}</span>
                              </>
                            ) : (
                              <span className="text-slate-400">—</span>
                            )}
                          </Td>
                          <Td align="right">
                            {r.data && Object.keys(r.data).length > 0 ? (
                              <Button variant="ghost" size="sm" aria-expanded={open.has(r.id)} onClick={() => toggle(r.id)}>
                                {open.has(r.id) ? "Hide" : "Show"}
                              </Button>
                            ) : (
                              <span className="text-xs text-slate-400">—</span>
                            )}
                          </Td>
                        </tr>
                        {open.has(r.id) && (
                          <tr className="bg-slate-50">
                            <td colSpan={5} className="px-4 py-3">
                              <pre className="max-h-80 overflow-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100">
                                {JSON.stringify(r.data, null, 2)}
                              </pre>
                              <p className="mt-1 font-mono text-[11px] text-slate-400">{r.id}</p>
                            </td>
                          </tr>
                        )}
                      </Fragment>
                    ))}
                  </TBody>
                </Table>
                <div className="flex items-center justify-between border-t border-slate-100 px-4 py-3 text-sm text-slate-500">
                  <span>
                    {all.length} {all.length === 1 ? "change" : "changes"} shown{rows.hasNextPage ? "" : " · the whole range"}
                    {rows.isFetching && !rows.isFetchingNextPage ? " · updating…" : ""}
                  </span>
                  {rows.hasNextPage && (
                    <Button variant="secondary" size="sm" onClick={() => rows.fetchNextPage()} disabled={rows.isFetchingNextPage}>
                      {rows.isFetchingNextPage ? "Loading…" : "Load older"}
                    </Button>
                  )}
                </div>
                {rows.isFetchNextPageError && (
                  <p role="alert" className="px-4 pb-3 text-sm text-red-700">
                    Could not load older changes. Try again.
                  </p>
                )}
              </>
            );
          }}
        </QueryView>
      </Card>
    </>
  );
}
