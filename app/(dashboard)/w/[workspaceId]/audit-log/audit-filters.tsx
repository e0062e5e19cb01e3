"use client";

import { useQuery } from "@tanstack/react-query";
import { Button, Select } from "@/app/_components/ui";
import { useUrlState } from "@/app/_components/url-state";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

export const AUDIT_FILTER_KEYS = ["action", "actorType", "actorId", "targetType", "targetId"] as const;
export type TAuditFilterValues = Partial<Record<(typeof AUDIT_FILTER_KEYS)[number], string>>;

/** `rule.create`, `rule.update` → `rule.*` first, then each action. */
function actionOptions(actions: string[]): string[] {
  const kinds = [...new Set(actions.filter((a) => a.includes(".")).map((a) => `${a.split(".")[0]}.*`))].sort();
  return [...kinds, ...actions];
}

/** Actor, action and target filters of the audit log, kept in the URL. */
export function AuditFilters() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const { get, set } = useUrlState();
  const facets = useQuery(trpc.auditLogs.facets.queryOptions({ workspaceId: ws.id }));
  const actor = get("actorId") ? `${get("actorType") ?? ""}:${get("actorId")}` : get("actorType") === "system" ? "system" : "";
  const actions = actionOptions(facets.data?.actions ?? []);
  const targetTypes = facets.data?.targetTypes ?? [];
  const active = AUDIT_FILTER_KEYS.some((k) => get(k));
  const selectClass = "w-48 py-1.5 text-xs";
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-slate-100 px-4 py-3">
      <Select
        aria-label="Actor"
        value={actor}
        className={selectClass}
        onChange={(e) => {
          const v = e.target.value;
          if (!v) set({ actorType: null, actorId: null });
          else if (v === "system") set({ actorType: "system", actorId: null });
          else {
            const i = v.indexOf(":");
            set({ actorType: v.slice(0, i), actorId: v.slice(i + 1) });
          }
        }}
      >
        <option value="">All actors</option>
        <option value="system">System (automations, jobs)</option>
        {actor && actor !== "system" && !facets.data?.actors.some((a) => `${a.type}:${a.id}` === actor) && (
          <option value={actor}>{get("actorId")}</option>
        )}
        {facets.data?.actors
          .filter((a) => a.type !== "system")
          .map((a) => (
            <option key={`${a.type}:${a.id}`} value={`${a.type}:${a.id}`}>
              {a.type === "api_key" ? `Key: ${a.label}` : a.label}
            </option>
          ))}
      </Select>
      <Select
        aria-label="Action"
        value={get("action") ?? ""}
        className={selectClass}
        onChange={(e) => set({ action: e.target.value || null })}
      >
        <option value="">All actions</option>
        {get("action") && !actions.includes(get("action")!) && <option value={get("action")}>{get("action")}</option>}
        {actions.map((a) => (
          <option key={a} value={a}>
            {a.endsWith(".*") ? `${a.slice(0, -2)} (every action)` : a}
          </option>
        ))}
      </Select>
      <Select
        aria-label="Target type"
        value={get("targetType") ?? ""}
        className={selectClass}
        onChange={(e) => set({ targetType: e.target.value || null, targetId: null })}
      >
        <option value="">All targets</option>
        {get("targetType") && !targetTypes.includes(get("targetType")!) && <option value={get("targetType")}>{get("targetType")}</option>}
        {targetTypes.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </Select>
      {get("targetId") && <span className="font-mono text-xs text-slate-500">target {get("targetId")}</span>}
      {active && (
        <Button
          variant="ghost"
          size="sm"
          onClick={() => set({ action: null, actorType: null, actorId: null, targetType: null, targetId: null })}
        >
          Clear filters
        </Button>
      )}
    </div>
  );
}
