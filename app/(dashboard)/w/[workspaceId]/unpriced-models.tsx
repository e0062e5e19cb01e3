"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatNumber } from "@/app/_components/format";
import { Card, CardHeader } from "@/app/_components/ui";
import type { Live } from "@/app/_components/use-live";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

/** Where to set a model's price: the Settings card, its editor opened for `model`. */
export const setPriceHref = (base: string, model?: string) =>
  `${base}/settings${model ? `?model=${encodeURIComponent(model)}` : ""}#model-prices`;

/** The most models the card asks for: it lists the first SHOWN and counts all of them. */
const COUNTED = 50;
const SHOWN = 5;

/**
 * The models whose calls in the range went unpriced (counted at $0), each with a link to price
 * it, and how many of them still need a price. Calls recorded before a price keep their $0 (a
 * custom price wins for later calls only), so a model's unpriced count never falls; the number of
 * models needing a price does, as soon as one is priced.
 */
export function UnpricedModels({ from, to, live }: { from: Date; to: Date; live: Live }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const models = useQuery({
    ...trpc.modelPrices.unpriced.queryOptions({ workspaceId: ws.id, from, to, limit: COUNTED }),
    ...live.options,
    placeholderData: keepPreviousData,
  });
  // A model priced since its unpriced calls: those keep $0, later ones are priced.
  const prices = useQuery(trpc.modelPrices.list.queryOptions({ workspaceId: ws.id }));
  const priced = new Set((prices.data ?? []).map((p) => p.model));
  const all = models.data ?? [];
  if (all.length === 0) return null;
  const rows = all.slice(0, SHOWN);
  // Until the prices load, no model counts as priced (the count only falls, never jumps up).
  const needing = prices.data ? all.filter((m) => !priced.has(m.model.toLowerCase())).length : null;
  const more = all.length === COUNTED ? "+" : "";
  return (
    <Card>
      <CardHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            Unpriced models
            {needing !== null && (
              <span
                data-testid="models-needing-price"
                data-count={needing}
                className={`rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
                  needing > 0 ? "bg-amber-50 text-amber-800 ring-amber-600/20" : "bg-emerald-50 text-emerald-700 ring-emerald-600/20"
                }`}
              >
                {needing === 0
                  ? "All priced now"
                  : `${formatNumber(needing)}${more} ${needing === 1 && !more ? "model needs" : "models need"} a price`}
              </span>
            )}
          </span>
        }
        description="Calls to these models were counted at $0: the catalogue has no price for them. A price you set applies to later calls."
        actions={
          <Link className="text-xs font-medium text-indigo-600 hover:underline" href={setPriceHref(ws.base)}>
            Model prices
          </Link>
        }
      />
      <ul className="divide-y divide-slate-100" aria-label="Unpriced models">
        {rows.map((m) => (
          <li key={m.model} className="flex items-center justify-between gap-4 px-5 py-2.5 text-sm">
            <span className="min-w-0 truncate font-mono text-xs text-slate-800">{m.model}</span>
            <span className="flex shrink-0 items-center gap-4">
              <span className="tabular-nums text-slate-600">
                <b className="font-semibold text-amber-600">{formatNumber(m.unpricedRequests)}</b> unpriced
              </span>
              {priced.has(m.model.toLowerCase()) ? (
                <Link className="text-emerald-700 hover:underline" href={setPriceHref(ws.base)} data-testid="priced-now">
                  Priced now
                </Link>
              ) : (
                ws.can("modelPrices.manage") && (
                  <Link
                    className="font-medium text-indigo-600 hover:underline"
                    href={setPriceHref(ws.base, m.model)}
                    aria-label={`Set price for ${m.model}`}
                  >
                    Set price
                  </Link>
                )
              )}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
