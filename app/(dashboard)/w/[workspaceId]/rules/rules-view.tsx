"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useState } from "react";
import { formatNumber, formatRelative } from "@/app/_components/format";
import { Modal } from "@/app/_components/modal";
import { useSegmentNames } from "@/app/_components/segment-select";
import { EmptyState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, Card, PageHeader, Toggle } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";
import { FILTERS, METRICS, RuleForm, SCOPES, WINDOWS, type Rule } from "./rule-form";

export function describeLimit(r: Rule) {
  return r.metric === "cost_usd" ? `$${r.limit}` : `${formatNumber(r.limit)} ${METRICS[r.metric].toLowerCase()}`;
}

/** "each end user · tier = free · model = gpt-4o": who counts, then which calls count. */
function AppliesTo({ r, segmentNames }: { r: Rule; segmentNames?: Map<string, string> }) {
  const filters = Object.entries(r.filters ?? {}).filter(([, v]) => v);
  // Wraps between filters (the cell does not), so a rule with several filters keeps the row on screen.
  return (
    <div className="whitespace-normal">
      {r.match ? (
        <>
          {r.scope} <span className="font-mono text-xs">{r.match}</span>
        </>
      ) : (
        SCOPES[r.scope]
      )}
      {filters.map(([k, v]) => (
        <Fragment key={k}>
          {" "}
          <span className="whitespace-nowrap text-slate-500">
            · {k === "segment" ? "segment" : (FILTERS[k as keyof typeof FILTERS]?.toLowerCase() ?? k)} ={" "}
            <span className="font-mono text-xs text-slate-700">{k === "segment" ? (segmentNames?.get(v) ?? v) : v}</span>
          </span>
        </Fragment>
      ))}
    </div>
  );
}

export function RulesView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const segmentNames = useSegmentNames();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const rules = useQuery(trpc.rules.list.queryOptions({ workspaceId: ws.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.rules.list.queryKey() });
  const create = useMutation(
    trpc.rules.create.mutationOptions({
      onSuccess: async () => {
        await refresh();
        setEditing(null);
      },
    }),
  );
  const update = useMutation(
    trpc.rules.update.mutationOptions({
      onSuccess: async () => {
        await refresh();
        setEditing(null);
      },
    }),
  );
  const remove = useMutation(trpc.rules.delete.mutationOptions({ onSuccess: refresh }));
  const close = () => {
    setEditing(null);
    create.reset();
    update.reset();
  };

  return (
    <>
      <PageHeader
        title="Rules"
        description="Limits that /sdk/check enforces before each LLM call. Changes apply to every server within half a second. A rule in shadow mode only records what it would have blocked."
        actions={ws.can("rules.manage") && <Button onClick={() => setEditing("new")}>New rule</Button>}
      />
      <Card>
        <QueryView
          query={rules}
          loading={<LoadingRows rows={4} />}
          isEmpty={(d) => d.length === 0}
          empty={
            <EmptyState
              title="No rules yet"
              description="Every check is allowed until you add a limit: for example 50 requests a day per end user, $5 a month per org, or 200 requests a day for each end user on tier free."
              action={ws.can("rules.manage") && <Button onClick={() => setEditing("new")}>Create your first rule</Button>}
            />
          }
        >
          {(rows) => (
            <Table>
              <thead>
                <tr>
                  <Th>Rule</Th>
                  <Th>Applies to</Th>
                  <Th>Limit</Th>
                  <Th>Action</Th>
                  <Th>Enabled</Th>
                  <Th>Updated</Th>
                  {ws.can("rules.manage") && (
                    <Th align="right">
                      <span className="sr-only">Actions</span>
                    </Th>
                  )}
                </tr>
              </thead>
              <TBody>
                {rows.map((r) => (
                  <tr key={r.id} data-testid="rule-row">
                    <Td className="font-medium text-slate-900">
                      <div className="flex items-center gap-2">
                        <Link href={`${ws.base}/rules/${r.id}`} className="hover:text-indigo-600 hover:underline">
                          {r.name}
                        </Link>
                        {r.mode === "shadow" && (
                          <Badge color="violet" title="Evaluated on every check, never blocks: it records what it would have blocked">
                            Shadow
                          </Badge>
                        )}
                      </div>
                      {r.mode === "shadow" && (
                        <Link
                          href={`${ws.base}/rules/${r.id}`}
                          className="text-xs font-normal text-indigo-600 hover:underline"
                          aria-label={`What ${r.name} would have blocked`}
                        >
                          Would have blocked →
                        </Link>
                      )}
                    </Td>
                    <Td>
                      <AppliesTo r={r} segmentNames={segmentNames} />
                    </Td>
                    <Td>
                      <span className="font-medium text-slate-900">{describeLimit(r)}</span>{" "}
                      <span className="text-slate-500">/ {WINDOWS[r.window].toLowerCase()}</span>
                    </Td>
                    <Td>
                      <Badge color={r.action === "block" ? "red" : r.action === "alert" ? "amber" : "indigo"}>
                        {r.action.replace("_", " ")}
                      </Badge>
                    </Td>
                    <Td>
                      {ws.can("rules.manage") ? (
                        <Toggle
                          label={`Enable ${r.name}`}
                          checked={r.enabled}
                          disabled={update.isPending}
                          onChange={(enabled) => update.mutate({ workspaceId: ws.id, id: r.id, patch: { enabled } })}
                        />
                      ) : (
                        <Badge color={r.enabled ? "green" : "slate"}>{r.enabled ? "on" : "off"}</Badge>
                      )}
                    </Td>
                    <Td className="text-slate-500">{formatRelative(r.updatedAt)}</Td>
                    {ws.can("rules.manage") && (
                      <Td align="right">
                        <div className="flex justify-end gap-2">
                          <Button size="sm" variant="secondary" onClick={() => setEditing(r)}>
                            Edit
                          </Button>
                          <Button
                            size="sm"
                            variant="danger"
                            disabled={remove.isPending}
                            onClick={() =>
                              window.confirm(`Delete the rule "${r.name}"?`) && remove.mutate({ workspaceId: ws.id, id: r.id })
                            }
                          >
                            Delete
                          </Button>
                        </div>
                      </Td>
                    )}
                  </tr>
                ))}
              </TBody>
            </Table>
          )}
        </QueryView>
        {remove.error || update.error ? (
          <div className="p-4">
            <InlineError error={remove.error ?? update.error} />
          </div>
        ) : null}
      </Card>
      <Modal open={editing !== null} onClose={close} title={editing === "new" ? "New rule" : "Edit rule"}>
        {editing !== null && (
          <RuleForm
            initial={editing === "new" ? undefined : editing}
            pending={create.isPending || update.isPending}
            error={create.error ?? update.error}
            onCancel={close}
            onSubmit={(input) =>
              editing === "new"
                ? create.mutate({ workspaceId: ws.id, ...input })
                : update.mutate({ workspaceId: ws.id, id: editing.id, patch: input })
            }
          />
        )}
      </Modal>
    </>
  );
}
