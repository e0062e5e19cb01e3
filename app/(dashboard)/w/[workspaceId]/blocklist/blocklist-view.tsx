"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { BlockForm } from "@/app/_components/block-form";
import { formatDateTime, formatRelative } from "@/app/_components/format";
import { Modal } from "@/app/_components/modal";
import { EmptyState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Pagination, Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, Card, PageHeader } from "@/app/_components/ui";
import { pageParam, useUrlState } from "@/app/_components/url-state";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

const PAGE_SIZE = 25;

export function BlocklistView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { get, set } = useUrlState();
  const includeExpired = get("expired") === "1";
  const page = pageParam(get("page"));
  const [adding, setAdding] = useState(false);
  const blocks = useQuery(trpc.blocklist.list.queryOptions({ workspaceId: ws.id, includeExpired }));
  const remove = useMutation(
    trpc.blocklist.delete.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.blocklist.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.endUsers.pathKey() }),
        ]),
    }),
  );
  return (
    <>
      <PageHeader
        title="Blocklist"
        description="Blocked end users and orgs: /sdk/check answers allowed: false until the entry expires or is removed."
        actions={ws.can("blocklist.manage") && <Button onClick={() => setAdding(true)}>Block user or org</Button>}
      />
      <Card>
        <div className="flex items-center gap-3 border-b border-slate-100 px-4 py-3">
          <label className="flex items-center gap-2 text-sm text-slate-600">
            <input
              type="checkbox"
              checked={includeExpired}
              onChange={(e) => set({ expired: e.target.checked ? "1" : null, page: null })}
              className="h-4 w-4 rounded border-slate-300 text-indigo-600"
            />
            Show expired entries
          </label>
        </div>
        <QueryView
          query={blocks}
          loading={<LoadingRows />}
          isEmpty={(d) => d.length === 0}
          empty={
            <EmptyState
              title="Nobody is blocked"
              description="Block an end user or an org by hand here or from a user's page; automations and rules can add entries too."
            />
          }
        >
          {(rows) => (
            <>
              <Table>
                <thead>
                  <tr>
                    <Th>Subject</Th>
                    <Th>Reason</Th>
                    <Th>Source</Th>
                    <Th>Blocked</Th>
                    <Th>Expires</Th>
                    {ws.can("blocklist.manage") && (
                      <Th align="right">
                        <span className="sr-only">Actions</span>
                      </Th>
                    )}
                  </tr>
                </thead>
                <TBody>
                  {rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((b) => (
                    <tr key={b.id} data-testid="block-row">
                      <Td>
                        {b.userId ? (
                          <Link
                            href={`${ws.base}/users/${encodeURIComponent(b.userId)}`}
                            className="font-medium text-slate-900 hover:text-indigo-600"
                          >
                            {b.userId}
                          </Link>
                        ) : (
                          <span className="font-medium text-slate-900">{b.orgId}</span>
                        )}
                        <span className="ml-2">
                          <Badge>{b.userId ? "user" : "org"}</Badge>
                        </span>
                      </Td>
                      <Td className="max-w-xs truncate text-slate-600">{b.reason || <span className="text-slate-400">—</span>}</Td>
                      <Td>
                        <Badge color={b.source === "manual" ? "slate" : "violet"}>{b.source}</Badge>
                      </Td>
                      <Td className="text-slate-500" title={formatDateTime(b.createdAt)}>
                        {formatRelative(b.createdAt)}
                      </Td>
                      <Td title={b.expiresAt ? formatDateTime(b.expiresAt) : undefined}>
                        {!b.active ? (
                          <Badge>expired</Badge>
                        ) : b.expiresAt ? (
                          formatRelative(b.expiresAt)
                        ) : (
                          <span className="text-slate-500">never</span>
                        )}
                      </Td>
                      {ws.can("blocklist.manage") && (
                        <Td align="right">
                          <Button
                            size="sm"
                            variant="secondary"
                            disabled={remove.isPending}
                            onClick={() => remove.mutate({ workspaceId: ws.id, id: b.id })}
                          >
                            {b.active ? "Unblock" : "Remove"}
                          </Button>
                        </Td>
                      )}
                    </tr>
                  ))}
                </TBody>
              </Table>
              {rows.length > PAGE_SIZE && (
                <Pagination page={page} pageSize={PAGE_SIZE} total={rows.length} onPage={(p) => set({ page: p > 1 ? p : null })} />
              )}
            </>
          )}
        </QueryView>
        {remove.error ? (
          <div className="p-4">
            <InlineError error={remove.error} />
          </div>
        ) : null}
      </Card>
      <Modal open={adding} onClose={() => setAdding(false)} title="Block an end user or org">
        <BlockForm onDone={() => setAdding(false)} />
      </Modal>
    </>
  );
}
