"use client";

import Link from "next/link";
import { useWorkspace } from "@/app/_components/workspace-context";

/** Alerts are a paid feature (DESIGN.md plans): say so before the server does. */
export function PlanNotice() {
  const ws = useWorkspace();
  if (ws.plan !== "free") return null;
  return (
    <p className="mb-6 rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-800">
      Alerts need the Starter plan or above (webhooks need Growth).{" "}
      <Link href={`${ws.base}/billing`} className="font-medium underline">
        Change the plan on the Billing page
      </Link>
      .
    </p>
  );
}
