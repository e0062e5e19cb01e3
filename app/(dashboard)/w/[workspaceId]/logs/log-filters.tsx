"use client";

import { useQuery } from "@tanstack/react-query";
import { SearchInput } from "@/app/_components/search-input";
import { SegmentSelect } from "@/app/_components/segment-select";
import { Button, Select } from "@/app/_components/ui";
import { useUrlState } from "@/app/_components/url-state";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";
import type { DateRange } from "@/app/_components/date-range";

export const FILTER_KEYS = ["userId", "orgId", "feature", "model", "label", "segment"] as const;

/** User, segment, feature, model and label filters of the logs, kept in the URL. */
export function LogFilters({ range }: { range: DateRange }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const { get, set } = useUrlState();
  const span = { workspaceId: ws.id, from: range.from, to: range.to };
  const features = useQuery(trpc.usage.top.queryOptions({ ...span, dimension: "feature", orderBy: "requests", limit: 100 }));
  const models = useQuery(trpc.usage.top.queryOptions({ ...span, dimension: "model", orderBy: "requests", limit: 100 }));
  const labels = useQuery(trpc.events.labelCounts.queryOptions(span));
  const choose = (key: string, options: string[] | undefined, label: string) => {
    const value = get(key) ?? "";
    const all = options ?? [];
    return (
      <Select
        aria-label={label}
        value={value}
        onChange={(e) => set({ [key]: e.target.value || null, cursor: null })}
        className="w-40 py-1.5 text-xs"
      >
        <option value="">All {label.toLowerCase()}s</option>
        {value && !all.includes(value) && <option value={value}>{value}</option>}
        {all.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </Select>
    );
  };
  const active = FILTER_KEYS.some((k) => get(k));
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-slate-100 px-4 py-3">
      <SearchInput
        label="User id"
        placeholder="User id (exact)…"
        value={get("userId") ?? ""}
        onChange={(v) => set({ userId: v.trim() || null, cursor: null })}
        className="w-56"
      />
      <SegmentSelect value={get("segment")} onChange={(id) => set({ segment: id, cursor: null })} className="w-40 py-1.5 text-xs" />
      {choose(
        "feature",
        features.data?.map((f) => f.key),
        "Feature",
      )}
      {choose(
        "model",
        models.data?.map((m) => m.key),
        "Model",
      )}
      {choose(
        "label",
        labels.data?.map((l) => l.label),
        "Label",
      )}
      {get("orgId") && <span className="text-xs text-slate-500">org {get("orgId")}</span>}
      {active && (
        <Button
          variant="ghost"
          size="sm"
          onClick={() => set({ userId: null, orgId: null, feature: null, model: null, label: null, segment: null, cursor: null })}
        >
          Clear filters
        </Button>
      )}
    </div>
  );
}
