"use client";

import { useMutation } from "@tanstack/react-query";
import { InlineError } from "@/app/_components/states";
import { Button } from "@/app/_components/ui";
import { useTRPC } from "@/lib/trpc/client";

export function AcceptInvitation({ token }: { token: string }) {
  const trpc = useTRPC();
  const accept = useMutation(
    trpc.members.acceptInvitation.mutationOptions({ onSuccess: ({ workspaceId }) => window.location.assign(`/w/${workspaceId}`) }),
  );
  return (
    <div className="space-y-3">
      <Button className="w-full" disabled={accept.isPending || accept.isSuccess} onClick={() => accept.mutate({ token })}>
        {accept.isPending || accept.isSuccess ? "Joining…" : "Accept invitation"}
      </Button>
      <InlineError error={accept.error} />
    </div>
  );
}
