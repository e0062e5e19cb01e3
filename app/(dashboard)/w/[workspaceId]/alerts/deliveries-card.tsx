"use client";

import { useQuery } from "@tanstack/react-query";
import { formatDateTime } from "@/app/_components/format";
import { EmptyState, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Card, CardHeader } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

/** The delivery log: what was sent where, and what the receiver answered. */
export function DeliveriesCard() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const deliveries = useQuery(trpc.alerts.deliveries.queryOptions({ workspaceId: ws.id, limit: 50 }));
  const channels = useQuery(trpc.alerts.channels.queryOptions({ workspaceId: ws.id }));
  return (
    <Card>
      <CardHeader title="Recent deliveries" description="The last 50 messages sent" />
      <QueryView
        query={deliveries}
        loading={<LoadingRows rows={3} />}
        isEmpty={(d) => d.length === 0}
        empty={<EmptyState title="Nothing sent yet" />}
      >
        {(rows) => (
          <Table>
            <thead>
              <tr>
                <Th>Time</Th>
                <Th>Channel</Th>
                <Th>Status</Th>
                <Th align="right">Attempts</Th>
                <Th>Answer</Th>
              </tr>
            </thead>
            <TBody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <Td className="text-slate-500">{formatDateTime(d.createdAt)}</Td>
                  <Td>{channels.data?.find((c) => c.id === d.channelId)?.name ?? d.channelId}</Td>
                  <Td>
                    <Badge
                      color={d.status === "sent" ? "green" : d.status === "failed" ? "red" : d.status === "skipped" ? "slate" : "amber"}
                    >
                      {d.status}
                    </Badge>
                  </Td>
                  <Td align="right">{d.attempts}</Td>
                  <Td className="max-w-sm truncate text-slate-500">{d.error ?? (d.responseStatus ? `HTTP ${d.responseStatus}` : "—")}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </QueryView>
    </Card>
  );
}
