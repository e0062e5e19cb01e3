"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { Select } from "./ui";
import { useWorkspace } from "./workspace-context";

/** Choose one of the workspace's segments, or none ("" → `onChange(null)`). */
export function SegmentSelect({
  value,
  onChange,
  noneLabel = "All end users",
  label = "Segment",
  className,
}: {
  value: string | null | undefined;
  onChange: (segmentId: string | null) => void;
  noneLabel?: string;
  label?: string;
  className?: string;
}) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const segments = useQuery(trpc.segments.list.queryOptions({ workspaceId: ws.id }));
  return (
    <Select
      aria-label={label}
      value={value ?? ""}
      onChange={(e) => onChange(e.target.value || null)}
      className={className}
      disabled={segments.isPending}
    >
      <option value="">{noneLabel}</option>
      {segments.data?.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </Select>
  );
}

/** Segment names by id, for lists that show a rule's or policy's segment. */
export function useSegmentNames(): Map<string, string> {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const segments = useQuery(trpc.segments.list.queryOptions({ workspaceId: ws.id }));
  return new Map(segments.data?.map((s) => [s.id, s.name]));
}
