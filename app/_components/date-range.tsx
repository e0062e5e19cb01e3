"use client";

import { useMemo } from "react";
import { cx, inputClass } from "./ui";
import { useUrlState } from "./url-state";

export const PRESETS = [
  { id: "24h", label: "24 hours" },
  { id: "7d", label: "7 days" },
  { id: "30d", label: "30 days" },
  { id: "90d", label: "90 days" },
] as const;

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface DateRange {
  from: Date;
  to: Date;
  interval: "hour" | "day";
  label: string;
  /** For links and exports: the same range as query parameters. */
  query: string;
}

function isoDay(d: Date) {
  return d.toISOString().slice(0, 10);
}

/**
 * A range from the URL (`?range=7d`, or `?from=2026-01-01&to=2026-01-31`, UTC days, inclusive),
 * rounded to whole hours or days so that the query key stays stable while the page is open.
 */
export function resolveRange(get: (k: string) => string | undefined, fallback = "30d", now = Date.now()): DateRange {
  const from = get("from");
  const to = get("to");
  if (from && to && /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to)) {
    const f = new Date(`${from}T00:00:00Z`);
    const t = new Date(new Date(`${to}T00:00:00Z`).getTime() + DAY);
    if (t > f) {
      return {
        from: f,
        to: t,
        interval: t.getTime() - f.getTime() <= 2 * DAY ? "hour" : "day",
        label: `${from} – ${to}`,
        query: `from=${from}&to=${to}`,
      };
    }
  }
  const id = PRESETS.some((p) => p.id === get("range")) ? get("range")! : fallback;
  if (id === "24h") {
    const end = Math.ceil((now + 1) / HOUR) * HOUR;
    return { from: new Date(end - 24 * HOUR), to: new Date(end), interval: "hour", label: "Last 24 hours", query: "range=24h" };
  }
  const days = Number(id.replace("d", ""));
  const end = Math.ceil((now + 1) / DAY) * DAY; // start of tomorrow, UTC
  return {
    from: new Date(end - days * DAY),
    to: new Date(end),
    interval: "day",
    label: `Last ${days} days`,
    query: `range=${id}`,
  };
}

export function useDateRange(fallback = "30d"): DateRange {
  const { get } = useUrlState();
  return useMemo(() => resolveRange(get, fallback), [get, fallback]);
}

/** Presets and a custom from/to (UTC days), kept in the URL. */
export function DateRangePicker({ fallback = "30d" }: { fallback?: string }) {
  const { get, set } = useUrlState();
  const range = useDateRange(fallback);
  const custom = Boolean(get("from") && get("to"));
  const active = custom ? "custom" : (get("range") ?? fallback);
  return (
    <fieldset className="flex min-w-0 flex-wrap items-center gap-2" aria-label="Date range">
      <div className="inline-flex rounded-lg bg-white p-0.5 shadow-sm ring-1 ring-slate-300">
        {PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            onClick={() => set({ range: p.id, from: null, to: null, page: null, cursor: null })}
            className={cx(
              "rounded-md px-2.5 py-1.5 text-xs font-medium transition",
              active === p.id ? "bg-indigo-600 text-white" : "text-slate-600 hover:bg-slate-100",
            )}
          >
            {p.label}
          </button>
        ))}
      </div>
      <div className="flex items-center gap-1.5 text-xs text-slate-500">
        <input
          type="date"
          aria-label="From"
          className={cx(inputClass, "w-36 py-1.5 text-xs")}
          value={isoDay(range.from)}
          onChange={(e) =>
            e.target.value &&
            set({ from: e.target.value, to: get("to") ?? isoDay(new Date(range.to.getTime() - 1)), range: null, page: null, cursor: null })
          }
        />
        <span>to</span>
        <input
          type="date"
          aria-label="To"
          className={cx(inputClass, "w-36 py-1.5 text-xs")}
          value={isoDay(new Date(range.to.getTime() - 1))}
          onChange={(e) =>
            e.target.value && set({ to: e.target.value, from: get("from") ?? isoDay(range.from), range: null, page: null, cursor: null })
          }
        />
      </div>
    </fieldset>
  );
}
