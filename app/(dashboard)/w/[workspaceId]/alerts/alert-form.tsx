"use client";

import { useState } from "react";
import { InlineError } from "@/app/_components/states";
import { Button, Field, Input, Select } from "@/app/_components/ui";
import type { RouterInputs, RouterOutputs } from "@/lib/trpc/client";
import { METRICS, SCOPES, WINDOWS } from "../rules/rule-form";

type AlertInput = RouterInputs["alerts"]["create"]["alert"];
type Channel = RouterOutputs["alerts"]["channels"][number];
type Rule = RouterOutputs["rules"]["list"][number];

const numbers = (text: string) =>
  text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number);

/** An alert at percentages of a rule's limit, or at absolute values of a metric. */
export function AlertForm({
  rules,
  channels,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  rules: Rule[];
  channels: Channel[];
  pending: boolean;
  error: unknown;
  onSubmit: (a: AlertInput) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState("");
  const [mode, setMode] = useState<"rule" | "absolute">(rules.length ? "rule" : "absolute");
  const [ruleId, setRuleId] = useState(rules[0]?.id ?? "");
  const [percentages, setPercentages] = useState("80, 100");
  const [scope, setScope] = useState<keyof typeof SCOPES>("workspace");
  const [match, setMatch] = useState("");
  const [metric, setMetric] = useState<keyof typeof METRICS>("cost_usd");
  const [window, setWindow] = useState<keyof typeof WINDOWS>("calendar_month");
  const [values, setValues] = useState("");
  const [channelIds, setChannelIds] = useState<string[]>(channels.map((c) => c.id));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    onSubmit(
      mode === "rule"
        ? { name: name.trim(), ruleId, percentages: numbers(percentages), channelIds }
        : {
            name: name.trim(),
            scope,
            match: scope === "workspace" ? null : match.trim() || null,
            metric,
            window,
            values: numbers(values),
            channelIds,
          },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label="Name">
        <Input required value={name} onChange={(e) => setName(e.target.value)} placeholder="Monthly spend" maxLength={100} />
      </Field>
      <Field label="Alert on">
        <Select value={mode} onChange={(e) => setMode(e.target.value as "rule" | "absolute")}>
          <option value="rule" disabled={!rules.length}>
            Percentages of a rule&apos;s limit
          </option>
          <option value="absolute">Absolute values of a metric</option>
        </Select>
      </Field>
      {mode === "rule" ? (
        <div className="grid grid-cols-2 gap-3">
          <Field label="Rule">
            <Select value={ruleId} onChange={(e) => setRuleId(e.target.value)}>
              {rules.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="At % of the limit" hint="Comma-separated, e.g. 80, 100">
            <Input required value={percentages} onChange={(e) => setPercentages(e.target.value)} />
          </Field>
        </div>
      ) : (
        <>
          <div className="grid grid-cols-2 gap-3">
            <Field label="Applies to">
              <Select value={scope} onChange={(e) => setScope(e.target.value as keyof typeof SCOPES)}>
                {Object.entries(SCOPES).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </Select>
            </Field>
            {scope !== "workspace" && (
              <Field label="Match" hint={scope === "user" || scope === "org" ? "Empty: each one separately" : undefined}>
                <Input required={scope === "feature" || scope === "tier"} value={match} onChange={(e) => setMatch(e.target.value)} />
              </Field>
            )}
          </div>
          <div className="grid grid-cols-3 gap-3">
            <Field label="Metric">
              <Select value={metric} onChange={(e) => setMetric(e.target.value as keyof typeof METRICS)}>
                {Object.entries(METRICS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Window">
              <Select value={window} onChange={(e) => setWindow(e.target.value as keyof typeof WINDOWS)}>
                {Object.entries(WINDOWS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={metric === "cost_usd" ? "At USD" : "At"} hint="e.g. 500, 1000">
              <Input required value={values} onChange={(e) => setValues(e.target.value)} />
            </Field>
          </div>
        </>
      )}
      <fieldset>
        <legend className="mb-1.5 text-xs font-medium text-slate-700">Send to</legend>
        {channels.length === 0 && <p className="text-sm text-slate-500">No channels yet: the alert is recorded but sent nowhere.</p>}
        <div className="space-y-1.5">
          {channels.map((c) => (
            <label key={c.id} className="flex items-center gap-2 text-sm text-slate-700">
              <input
                type="checkbox"
                className="h-4 w-4 rounded border-slate-300 text-indigo-600"
                checked={channelIds.includes(c.id)}
                onChange={(e) => setChannelIds(e.target.checked ? [...channelIds, c.id] : channelIds.filter((x) => x !== c.id))}
              />
              {c.name} <span className="text-slate-400">({c.type})</span>
            </label>
          ))}
        </div>
      </fieldset>
      <InlineError error={error} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create alert"}
        </Button>
      </div>
    </form>
  );
}
