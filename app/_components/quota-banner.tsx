"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/lib/trpc/client";
import { formatDateUtc } from "./format";
import { useWorkspace } from "./workspace-context";

/**
 * Shown on every page of a workspace past the Free plan's monthly cap. Checks go on deciding,
 * but records are refused: without this a team would see flat charts and not know why.
 */
export function QuotaBanner() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  // Re-read each minute: a workspace that crosses the cap while a page is open learns it soon.
  const quota = useQuery({ ...trpc.billing.quota.queryOptions({ workspaceId: ws.id }), refetchInterval: 60_000 });
  if (!quota.data?.exceeded) return null;
  return (
    <div
      role="alert"
      data-testid="quota-banner"
      className="border-b border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900 sm:px-6 lg:px-8"
    >
      <strong className="font-semibold">Free plan cap reached:</strong> checks keep enforcing your rules and blocklist, but usage is not
      recorded until {formatDateUtc(quota.data.resetsAt)} (UTC) —{" "}
      <Link href={`${ws.base}/billing`} className="font-medium underline hover:text-amber-700">
        upgrade on the Billing page
      </Link>
      .
    </div>
  );
}
