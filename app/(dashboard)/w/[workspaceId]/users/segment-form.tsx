"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatNumber } from "@/app/_components/format";
import { InlineError } from "@/app/_components/states";
import { Button, Field, Input, Select } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";
import type { SegmentFilter } from "@/db/schema/segments";

export interface SegmentDraft {
  id?: string;
  name: string;
  filter: SegmentFilter;
}

/** Text fields of the form; empty means "any". */
type Fields = Record<
  | "tier"
  | "orgId"
  | "feature"
  | "labels"
  | "labelWithinDays"
  | "minCostUsd"
  | "maxCostUsd"
  | "costWithinDays"
  | "activeWithinDays"
  | "firstSeenAfter"
  | "firstSeenBefore"
  | "blocked",
  string
>;

function toFields(f: SegmentFilter): Fields {
  const s = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  return {
    tier: s(f.tier),
    orgId: s(f.orgId),
    feature: s(f.feature),
    labels: (f.labels ?? []).join(", "),
    labelWithinDays: s(f.labelWithinDays),
    minCostUsd: s(f.minCostUsd),
    maxCostUsd: s(f.maxCostUsd),
    costWithinDays: s(f.costWithinDays),
    activeWithinDays: s(f.activeWithinDays),
    firstSeenAfter: f.firstSeenAfter ? f.firstSeenAfter.slice(0, 10) : "",
    firstSeenBefore: f.firstSeenBefore ? f.firstSeenBefore.slice(0, 10) : "",
    blocked: f.blocked === undefined ? "" : f.blocked ? "yes" : "no",
  };
}

function toFilter(v: Fields): SegmentFilter {
  const text = (x: string) => x.trim() || undefined;
  const num = (x: string) => (x.trim() === "" || Number.isNaN(Number(x)) ? undefined : Number(x));
  const day = (x: string) => (x ? `${x}T00:00:00.000Z` : undefined);
  const labels = v.labels
    .split(",")
    .map((l) => l.trim())
    .filter(Boolean);
  const f: SegmentFilter = {
    tier: text(v.tier),
    orgId: text(v.orgId),
    feature: text(v.feature),
    labels: labels.length ? labels : undefined,
    labelWithinDays: labels.length ? num(v.labelWithinDays) : undefined,
    minCostUsd: num(v.minCostUsd),
    maxCostUsd: num(v.maxCostUsd),
    costWithinDays: num(v.costWithinDays),
    activeWithinDays: num(v.activeWithinDays),
    firstSeenAfter: day(v.firstSeenAfter),
    firstSeenBefore: day(v.firstSeenBefore),
    blocked: v.blocked === "" ? undefined : v.blocked === "yes",
  };
  return Object.fromEntries(Object.entries(f).filter(([, x]) => x !== undefined)) as SegmentFilter;
}

/** Create or edit a segment: every field narrows it; the count of matching end users updates as you type. */
export function SegmentForm({ initial, onDone }: { initial?: SegmentDraft; onDone: (id: string) => void }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(initial?.name ?? "");
  const [fields, setFields] = useState<Fields>(toFields(initial?.filter ?? {}));
  const filter = toFilter(fields);
  const preview = useQuery({
    ...trpc.segments.count.queryOptions({ workspaceId: ws.id, filter }),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const done = async (s: { id: string }) => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.segments.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.endUsers.pathKey() }),
    ]);
    onDone(s.id);
  };
  const create = useMutation(trpc.segments.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.segments.update.mutationOptions({ onSuccess: done }));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (initial?.id) update.mutate({ workspaceId: ws.id, id: initial.id, patch: { name: name.trim(), filter } });
    else create.mutate({ workspaceId: ws.id, name: name.trim(), filter });
  };
  const field = (key: keyof Fields, label: string, props: React.ComponentProps<"input"> = {}) => (
    <Field label={label}>
      <Input value={fields[key]} onChange={(e) => setFields({ ...fields, [key]: e.target.value })} {...props} />
    </Field>
  );
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label="Name">
        <Input value={name} onChange={(e) => setName(e.target.value)} placeholder="Heavy spenders" required maxLength={100} />
      </Field>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        {field("tier", "Tier", { placeholder: "any" })}
        {field("orgId", "Org", { placeholder: "any" })}
        {field("feature", "Used feature", { placeholder: "any" })}
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        {field("minCostUsd", "Spent at least (USD)", { type: "number", min: 0, step: "any", placeholder: "—" })}
        {field("maxCostUsd", "Spent at most (USD)", { type: "number", min: 0, step: "any", placeholder: "—" })}
        {field("costWithinDays", "…over the last N days", { type: "number", min: 1, placeholder: "30" })}
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        {field("labels", "Labels seen", { placeholder: "frustration, jailbreak" })}
        {field("labelWithinDays", "…within N days", { type: "number", min: 1, placeholder: "30" })}
        {field("activeWithinDays", "Active within N days", { type: "number", min: 1, placeholder: "any" })}
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        {field("firstSeenAfter", "First seen from (UTC)", { type: "date" })}
        {field("firstSeenBefore", "First seen before (UTC)", { type: "date" })}
        <Field label="Blocked">
          <Select value={fields.blocked} onChange={(e) => setFields({ ...fields, blocked: e.target.value })}>
            <option value="">Either</option>
            <option value="yes">Blocked now</option>
            <option value="no">Not blocked</option>
          </Select>
        </Field>
      </div>
      <p className="text-sm text-slate-600" aria-live="polite" data-testid="segment-preview">
        {preview.isError ? (
          <span className="text-amber-700">{preview.error.message}</span>
        ) : preview.data ? (
          <>
            <span className="font-semibold text-slate-900">{formatNumber(preview.data.endUsers)}</span> end users match now
          </>
        ) : (
          "Counting…"
        )}
      </p>
      <InlineError error={create.error ?? update.error} />
      <div className="flex justify-end gap-2">
        <Button type="submit" disabled={!name.trim() || create.isPending || update.isPending}>
          {initial?.id ? "Save segment" : "Create segment"}
        </Button>
      </div>
    </form>
  );
}
