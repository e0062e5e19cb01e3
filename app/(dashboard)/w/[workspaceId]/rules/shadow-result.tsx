"use client";

import Link from "next/link";
import { formatNumber, formatUsd } from "@/app/_components/format";
import { useWorkspace } from "@/app/_components/workspace-context";
import type { RouterOutputs } from "@/lib/trpc/client";

/** A shadow rule's record (rules.shadow) or a replay's estimate (rules.preview): the same figures. */
export type ShadowReport = Pick<RouterOutputs["rules"]["shadow"], "checks" | "wouldDeny" | "endUsers" | "wouldDenyCostUsd"> & {
  top: Array<{ userId: string; wouldDeny: number }>;
  /** Who the subjects are: end users (scope user), or the orgs, features, tiers or workspace the rule pools. */
  by?: RouterOutputs["rules"]["preview"]["by"];
};

const SUBJECTS = { user: "End users", org: "Orgs", feature: "Features", tier: "Tiers", workspace: "Workspace" } as const;

function Figure({ label, value, testId, tone }: { label: string; value: number; testId: string; tone?: "red" }) {
  return (
    <div className="rounded-lg bg-slate-50 px-3 py-2 ring-1 ring-slate-200" data-testid={testId}>
      <p className="text-xs text-slate-500">{label}</p>
      <p className={`text-lg font-semibold tabular-nums ${tone === "red" && value > 0 ? "text-red-600" : "text-slate-900"}`}>
        {formatNumber(value)}
      </p>
    </div>
  );
}

/**
 * What a rule would have done (recorded in shadow mode, or estimated from rollups): the checks it
 * was evaluated on, how many it would have denied, the end users concerned and who most. For a
 * rule whose action does not block (alert, set_tier…), the calls it would have acted on.
 */
export function ShadowResult({
  report,
  blocks = true,
  linkUsers = false,
}: {
  report: ShadowReport;
  /** Its action is block: "would deny"; otherwise "would act on". */
  blocks?: boolean;
  linkUsers?: boolean;
}) {
  const ws = useWorkspace();
  const [verb, past] = blocks ? ["Would deny", "denied"] : ["Would act on", "acted on"];
  const by = report.by ?? "user";
  const linkable = linkUsers && by === "user";
  return (
    <div className="space-y-3">
      <div className="grid grid-cols-3 gap-2">
        <Figure label="Checks" value={report.checks} testId="shadow-checks" />
        <Figure label={verb} value={report.wouldDeny} testId="shadow-would-deny" tone="red" />
        <Figure label={`${SUBJECTS[by]} ${past}`} value={report.endUsers} testId="shadow-end-users" />
      </div>
      {report.wouldDeny > 0 && report.wouldDenyCostUsd > 0 && (
        <p className="text-xs text-slate-500">
          The calls it would have {past} were estimated at{" "}
          <span className="font-medium text-slate-700">
            {/* An estimate: the float USD is exact enough to show. */}
            {formatUsd(Math.round(report.wouldDenyCostUsd * 1e9))}
          </span>
          .
        </p>
      )}
      {report.top.length > 0 && (
        <div>
          <p className="mb-1 text-xs font-medium text-slate-700">
            {SUBJECTS[by]} it would have {past}, most first
          </p>
          <ul className="divide-y divide-slate-100 rounded-lg ring-1 ring-slate-200" aria-label="Would have denied">
            {report.top.map((u) => (
              <li key={u.userId} className="flex items-center justify-between gap-4 px-3 py-2 text-sm" data-testid="shadow-user">
                {linkable && u.userId ? (
                  <Link
                    href={`${ws.base}/users/${encodeURIComponent(u.userId)}`}
                    className="min-w-0 truncate font-mono text-xs text-indigo-600 hover:underline"
                  >
                    {u.userId}
                  </Link>
                ) : (
                  <span className="min-w-0 truncate font-mono text-xs text-slate-800">{u.userId || "(no user id)"}</span>
                )}
                <span className="shrink-0 tabular-nums text-slate-600">
                  <b className="font-semibold text-red-600">{formatNumber(u.wouldDeny)}</b> {verb.toLowerCase()}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
