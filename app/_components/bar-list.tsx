import Link from "next/link";
import { formatCompact, formatUsd } from "./format";

export interface BarItem {
  key: string;
  requests: number;
  totalTokens: number;
  costNanos: string;
  costUsd: number;
  unpricedRequests: number;
}

/** A ranked list with bars proportional to cost (or requests when nothing is priced). */
export function BarList({
  items,
  href,
  emptyText = "No data in this range",
}: {
  items: BarItem[];
  href?: (key: string) => string;
  emptyText?: string;
}) {
  if (items.length === 0) return <p className="px-5 py-8 text-center text-sm text-slate-500">{emptyText}</p>;
  const byCost = items.some((i) => i.costUsd > 0);
  const max = Math.max(...items.map((i) => (byCost ? i.costUsd : i.requests)), Number.MIN_VALUE);
  return (
    <ul className="space-y-1 px-3 py-3">
      {items.map((item) => {
        const width = `${Math.max(2, ((byCost ? item.costUsd : item.requests) / max) * 100)}%`;
        const label = item.key || "(none)";
        return (
          <li key={item.key} className="relative rounded-md px-2 py-1.5 text-sm">
            <div className="absolute inset-y-0 left-0 rounded-md bg-indigo-50" style={{ width }} aria-hidden />
            <div className="relative flex items-center justify-between gap-3">
              {href ? (
                <Link href={href(item.key)} className="truncate font-medium text-slate-800 hover:text-indigo-600 hover:underline">
                  {label}
                </Link>
              ) : (
                <span className="truncate font-medium text-slate-800">{label}</span>
              )}
              <span className="flex shrink-0 items-baseline gap-3 tabular-nums">
                <span className="text-xs text-slate-500">{formatCompact(item.requests)} req</span>
                {item.unpricedRequests === item.requests && item.requests > 0 ? (
                  <span className="w-20 text-right text-xs font-medium text-amber-600" title="No known price for this model: counted at $0">
                    unpriced
                  </span>
                ) : (
                  <span className="w-20 text-right font-medium text-slate-900">{formatUsd(item.costNanos)}</span>
                )}
              </span>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
