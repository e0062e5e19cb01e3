"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatRelative } from "@/app/_components/format";
import { InlineError } from "@/app/_components/states";
import { Badge, Button, Card, CardHeader, Input } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

/**
 * The end user's tier: the last one recorded, or the one Tokenist assigned (a set_tier rule, or
 * by hand here), which wins over the tier your code sends on checks and records. Owners and
 * admins assign or clear it.
 */
export function TierCard({
  userId,
  sentTier,
  assignedTier,
  assignedAt,
}: {
  userId: string;
  sentTier: string | null;
  assignedTier: string | null;
  assignedAt: string | null;
}) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tier, setTier] = useState("");
  const setTierMutation = useMutation(
    trpc.endUsers.setTier.mutationOptions({
      onSuccess: async () => {
        setTier("");
        await queryClient.invalidateQueries({ queryKey: trpc.endUsers.pathKey() });
      },
    }),
  );
  const save = (next: string | null) => setTierMutation.mutate({ workspaceId: ws.id, userId, tier: next });
  return (
    <Card data-testid="tier-card">
      <CardHeader
        title="Tier"
        description={
          assignedTier
            ? "Assigned by Tokenist: checks and records count toward this tier's rules, whatever tier your code sends."
            : "The tier your code sends on each call decides which tier rules apply."
        }
      />
      <div className="space-y-3 px-5 py-4 text-sm">
        <p className="flex flex-wrap items-center gap-2 text-slate-600">
          {assignedTier ? (
            <>
              <Badge color="indigo">{assignedTier}</Badge>
              {assignedAt && <span className="text-xs text-slate-500">assigned {formatRelative(assignedAt)}</span>}
            </>
          ) : (
            <span>{sentTier ? <Badge color="slate">{sentTier}</Badge> : "No tier sent yet."}</span>
          )}
        </p>
        {ws.can("blocklist.manage") && (
          <form
            className="flex items-center gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (tier.trim()) save(tier.trim());
            }}
          >
            <Input
              aria-label="Assign tier"
              placeholder="Assign a tier, e.g. pro"
              value={tier}
              maxLength={64}
              onChange={(e) => setTier(e.target.value)}
            />
            <Button size="sm" type="submit" disabled={setTierMutation.isPending || !tier.trim()}>
              Assign
            </Button>
            {assignedTier && (
              <Button size="sm" variant="secondary" disabled={setTierMutation.isPending} onClick={() => save(null)}>
                Clear
              </Button>
            )}
          </form>
        )}
        <InlineError error={setTierMutation.error} />
      </div>
    </Card>
  );
}
