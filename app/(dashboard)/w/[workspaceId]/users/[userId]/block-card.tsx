"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { BlockForm } from "@/app/_components/block-form";
import { formatDateTime, formatRelative } from "@/app/_components/format";
import { Modal } from "@/app/_components/modal";
import { InlineError } from "@/app/_components/states";
import { Badge, Button, Card, CardHeader } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC, type RouterOutputs } from "@/lib/trpc/client";

type Block = RouterOutputs["endUsers"]["get"]["blocks"][number];

/** Whether the user is blocked, and (for owners and admins) block / unblock. */
export function BlockCard({ userId, orgId, blocks }: { userId: string; orgId: string | null; blocks: Block[] }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [blocking, setBlocking] = useState(false);
  const unblock = useMutation(
    trpc.blocklist.unblock.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.endUsers.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.blocklist.pathKey() }),
        ]),
    }),
  );
  const own = blocks.filter((b) => b.userId === userId);
  const viaOrg = blocks.filter((b) => b.orgId !== null);
  return (
    <Card data-testid="block-card">
      <CardHeader
        title="Access"
        description={blocks.length ? "Checks for this user answer allowed: false" : "Not blocked: checks are decided by your rules"}
        actions={
          ws.can("blocklist.manage") && own.length === 0 ? (
            <Button size="sm" variant="danger" onClick={() => setBlocking(true)}>
              Block user
            </Button>
          ) : undefined
        }
      />
      <div className="space-y-3 px-5 py-4 text-sm">
        {blocks.length === 0 && <p className="text-slate-500">No active block.</p>}
        {[...own, ...viaOrg].map((b) => (
          <div key={b.id} className="rounded-lg border border-red-100 bg-red-50/50 px-3 py-2.5">
            <div className="flex items-center justify-between gap-2">
              <Badge color="red">{b.orgId ? `Org ${b.orgId} blocked` : "Blocked"}</Badge>
              <span className="text-xs text-slate-500" title={b.expiresAt ? formatDateTime(b.expiresAt) : undefined}>
                {b.expiresAt ? `expires ${formatRelative(b.expiresAt)}` : "no expiry"}
              </span>
            </div>
            <p className="mt-1.5 text-slate-600">
              {b.reason || "No reason given"}{" "}
              <span className="text-xs text-slate-400">
                · {b.source}, {formatRelative(b.createdAt)}
              </span>
            </p>
          </div>
        ))}
        {ws.can("blocklist.manage") && (own.length > 0 || viaOrg.length > 0) && (
          <div className="flex flex-wrap gap-2">
            {own.length > 0 && (
              <Button
                size="sm"
                variant="secondary"
                disabled={unblock.isPending}
                onClick={() => unblock.mutate({ workspaceId: ws.id, subjectType: "user", subjectId: userId })}
              >
                {unblock.isPending ? "Unblocking…" : "Unblock user"}
              </Button>
            )}
            {viaOrg.length > 0 && orgId && (
              <Button
                size="sm"
                variant="secondary"
                disabled={unblock.isPending}
                onClick={() => unblock.mutate({ workspaceId: ws.id, subjectType: "org", subjectId: orgId })}
              >
                Unblock org {orgId}
              </Button>
            )}
          </div>
        )}
        <InlineError error={unblock.error} />
      </div>
      <Modal open={blocking} onClose={() => setBlocking(false)} title={`Block ${userId}`}>
        <BlockForm userId={userId} onDone={() => setBlocking(false)} />
      </Modal>
    </Card>
  );
}
