"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatNumber, formatRelative } from "@/app/_components/format";
import { Modal } from "@/app/_components/modal";
import { EmptyState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, Card, CardHeader } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC, type RouterOutputs } from "@/lib/trpc/client";
import { METRICS, SCOPES, WINDOWS } from "../rules/rule-form";
import { AlertForm } from "./alert-form";

type Alert = RouterOutputs["alerts"]["list"][number];

function describe(a: Alert, rules: RouterOutputs["rules"]["list"]) {
  const window = WINDOWS[a.window as keyof typeof WINDOWS]?.toLowerCase() ?? a.window;
  if (a.percentages) {
    const rule = rules.find((r) => r.id === a.ruleId);
    return `${a.percentages.join("%, ")}% of "${rule?.name ?? "a deleted rule"}"`;
  }
  const unit =
    a.metric === "cost_usd"
      ? (v: number) => `$${v}`
      : (v: number) => `${formatNumber(v)} ${METRICS[a.metric as keyof typeof METRICS]?.toLowerCase()}`;
  const who = a.match ? `${a.scope} ${a.match}` : SCOPES[a.scope as keyof typeof SCOPES]?.toLowerCase();
  return `${(a.values ?? []).map(unit).join(", ")} per ${window}, ${who}`;
}

export function AlertsCard() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const alerts = useQuery(trpc.alerts.list.queryOptions({ workspaceId: ws.id }));
  const rules = useQuery(trpc.rules.list.queryOptions({ workspaceId: ws.id }));
  const channels = useQuery(trpc.alerts.channels.queryOptions({ workspaceId: ws.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const create = useMutation(
    trpc.alerts.create.mutationOptions({
      onSuccess: async () => {
        setCreating(false);
        await refresh();
      },
    }),
  );
  const remove = useMutation(trpc.alerts.delete.mutationOptions({ onSuccess: refresh }));
  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name ?? "deleted channel";
  return (
    <Card>
      <CardHeader
        title="Alerts"
        description="Each threshold fires once per window and subject."
        actions={
          ws.can("alerts.manage") && (
            <Button size="sm" disabled={!rules.data || !channels.data} onClick={() => setCreating(true)}>
              New alert
            </Button>
          )
        }
      />
      <QueryView
        query={alerts}
        loading={<LoadingRows rows={2} />}
        isEmpty={(d) => d.length === 0}
        empty={
          <EmptyState
            title="No alerts yet"
            description="Get an e-mail at 80% of a limit, or a Slack message when monthly spend passes $1,000."
          />
        }
      >
        {(rows) => (
          <Table>
            <thead>
              <tr>
                <Th>Alert</Th>
                <Th>When</Th>
                <Th>Send to</Th>
                <Th>Status</Th>
                <Th>Created</Th>
                {ws.can("alerts.manage") && (
                  <Th align="right">
                    <span className="sr-only">Actions</span>
                  </Th>
                )}
              </tr>
            </thead>
            <TBody>
              {rows.map((a) => (
                <tr key={a.id}>
                  <Td className="font-medium text-slate-900">{a.name}</Td>
                  <Td className="max-w-md truncate">{describe(a, rules.data ?? [])}</Td>
                  <Td className="text-slate-500">{a.channelIds.length ? a.channelIds.map(channelName).join(", ") : "—"}</Td>
                  <Td>
                    <Badge color={a.enabled ? "green" : "slate"}>{a.enabled ? "on" : "off"}</Badge>
                  </Td>
                  <Td className="text-slate-500">{formatRelative(a.createdAt)}</Td>
                  {ws.can("alerts.manage") && (
                    <Td align="right">
                      <Button
                        size="sm"
                        variant="danger"
                        onClick={() => window.confirm(`Delete the alert "${a.name}"?`) && remove.mutate({ workspaceId: ws.id, id: a.id })}
                      >
                        Delete
                      </Button>
                    </Td>
                  )}
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </QueryView>
      <div className="px-5">
        <InlineError error={remove.error} />
      </div>
      <Modal open={creating} onClose={() => setCreating(false)} title="New alert">
        {creating && rules.data && channels.data && (
          <AlertForm
            rules={rules.data}
            channels={channels.data}
            pending={create.isPending}
            error={create.error}
            onCancel={() => setCreating(false)}
            onSubmit={(alert) => create.mutate({ workspaceId: ws.id, alert })}
          />
        )}
      </Modal>
    </Card>
  );
}
