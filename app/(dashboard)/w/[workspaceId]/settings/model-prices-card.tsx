"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Modal } from "@/app/_components/modal";
import { EmptyState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, Card, CardHeader, Field, Input } from "@/app/_components/ui";
import { useUrlState } from "@/app/_components/url-state";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC, type RouterOutputs } from "@/lib/trpc/client";

type Price = RouterOutputs["modelPrices"]["list"][number];
type Resolved = RouterOutputs["modelPrices"]["resolve"];

/** The price fields of the editor, as typed (USD per million tokens); blank optional ones fall back. */
const FIELDS = [
  { key: "inputPerMillionUsd", label: "Input", fallback: null },
  { key: "outputPerMillionUsd", label: "Output", fallback: null },
  { key: "cachedInputPerMillionUsd", label: "Cached input", fallback: "input" },
  { key: "cacheWritePerMillionUsd", label: "Cache write", fallback: "input" },
  { key: "reasoningPerMillionUsd", label: "Reasoning", fallback: "output" },
] as const;
type FieldKey = (typeof FIELDS)[number]["key"];
/** `existing`: editing a stored price, whose model is fixed (a new name is a new price). */
type Draft = { model: string; existing?: boolean } & Record<FieldKey, string>;

const usd = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `$${v}`);
const blank = (model = ""): Draft => ({
  model,
  inputPerMillionUsd: "",
  outputPerMillionUsd: "",
  cachedInputPerMillionUsd: "",
  cacheWritePerMillionUsd: "",
  reasoningPerMillionUsd: "",
});
const fromPrice = (p: Price | Resolved, existing = false): Draft => ({
  model: p.model,
  existing,
  ...(Object.fromEntries(FIELDS.map((f) => [f.key, p[f.key] === null ? "" : String(p[f.key])])) as Record<FieldKey, string>),
});

/**
 * The workspace's own model prices (fine-tunes, self-hosted, models the catalogue lacks): each wins
 * over the catalogue for calls recorded after it is set. `?model=` in the URL opens the editor for it.
 */
export function ModelPricesCard() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const url = useUrlState();
  const queryClient = useQueryClient();
  const prices = useQuery(trpc.modelPrices.list.queryOptions({ workspaceId: ws.id }));
  const [draft, setDraft] = useState<Draft | null>(null);
  const wanted = url.get("model");
  const mayManage = ws.can("modelPrices.manage");
  useEffect(() => {
    if (wanted && mayManage) {
      setDraft(blank(wanted));
      document.getElementById("model-prices")?.scrollIntoView();
    }
  }, [wanted, mayManage]);
  const close = () => {
    setDraft(null);
    if (wanted) url.set({ model: null });
  };
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.modelPrices.pathKey() });
  const remove = useMutation(trpc.modelPrices.delete.mutationOptions({ onSuccess: refresh }));
  return (
    <Card id="model-prices">
      <CardHeader
        title="Model prices"
        description="Your own prices in USD per million tokens, for models the catalogue lacks or prices differently. A price applies to calls recorded after it is set; calls already recorded keep their cost."
        actions={
          ws.can("modelPrices.manage") && (
            <Button size="sm" onClick={() => setDraft(blank())}>
              Add price
            </Button>
          )
        }
      />
      <QueryView
        query={prices}
        loading={<LoadingRows rows={3} label="Loading model prices…" />}
        isEmpty={(d) => d.length === 0}
        empty={
          <EmptyState
            className="py-6"
            title="No custom prices"
            description="Calls to models the catalogue does not know are counted at $0 (unpriced) until you set a price here."
          />
        }
      >
        {(rows) => (
          <Table>
            <thead>
              <tr>
                <Th>Model</Th>
                {FIELDS.map((f) => (
                  <Th key={f.key} align="right">
                    {f.label}
                  </Th>
                ))}
                <Th align="right">
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <TBody>
              {rows.map((p) => (
                <tr key={p.model} data-model={p.model}>
                  <Td className="font-mono text-xs">{p.model}</Td>
                  {FIELDS.map((f) => (
                    <Td key={f.key} align="right">
                      {usd(p[f.key])}
                    </Td>
                  ))}
                  <Td align="right">
                    {ws.can("modelPrices.manage") && (
                      <div className="flex justify-end gap-2">
                        <Button size="sm" variant="secondary" onClick={() => setDraft(fromPrice(p, true))}>
                          Edit
                        </Button>
                        <Button
                          size="sm"
                          variant="danger"
                          disabled={remove.isPending}
                          onClick={() =>
                            window.confirm(`Remove the price of ${p.model}? Later calls use the catalogue's price, or none.`) &&
                            remove.mutate({ workspaceId: ws.id, model: p.model })
                          }
                        >
                          Delete
                        </Button>
                      </div>
                    )}
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </QueryView>
      <div className="px-5 pb-2">
        <InlineError error={remove.error} />
      </div>
      {draft && <PriceEditor initial={draft} onClose={close} onSaved={refresh} />}
    </Card>
  );
}

function PriceEditor({ initial, onClose, onSaved }: { initial: Draft; onClose: () => void; onSaved: () => Promise<unknown> }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const [draft, setDraft] = useState(initial);
  const [model, setModel] = useState(initial.model.trim());
  // The preview follows the name once typing pauses.
  useEffect(() => {
    const t = setTimeout(() => setModel(draft.model.trim()), 300);
    return () => clearTimeout(t);
  }, [draft.model]);
  const resolved = useQuery({
    ...trpc.modelPrices.resolve.queryOptions({ workspaceId: ws.id, model }),
    enabled: model.length > 0,
  });
  const save = useMutation(
    trpc.modelPrices.set.mutationOptions({
      onSuccess: async () => {
        await onSaved();
        onClose();
      },
    }),
  );
  const number = (v: string) => (v.trim() === "" ? null : Number(v));
  return (
    <Modal open onClose={onClose} title={initial.model ? `Price of ${initial.model}` : "Add a model price"}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({
            workspaceId: ws.id,
            model: draft.model.trim(),
            inputPerMillionUsd: Number(draft.inputPerMillionUsd),
            outputPerMillionUsd: Number(draft.outputPerMillionUsd),
            cachedInputPerMillionUsd: number(draft.cachedInputPerMillionUsd),
            cacheWritePerMillionUsd: number(draft.cacheWritePerMillionUsd),
            reasoningPerMillionUsd: number(draft.reasoningPerMillionUsd),
          });
        }}
      >
        <Field label="Model" hint="As your calls send it; matched without regard to case.">
          <Input
            required
            maxLength={256}
            readOnly={initial.existing}
            value={draft.model}
            onChange={(e) => setDraft({ ...draft, model: e.target.value })}
            placeholder="acme-llm-1"
          />
        </Field>
        {model && (
          <Preview
            resolved={resolved.data}
            loading={resolved.isLoading}
            onUse={(r) => setDraft({ ...fromPrice(r), model: draft.model, existing: draft.existing })}
          />
        )}
        <div className="grid grid-cols-2 gap-3">
          {FIELDS.map((f) => (
            <Field key={f.key} label={`${f.label} (USD / 1M tokens)`} hint={f.fallback ? `Blank: the ${f.fallback} price` : undefined}>
              <Input
                aria-label={`${f.label}, USD per 1M tokens`}
                type="number"
                inputMode="decimal"
                min={0}
                max={100000}
                step="any"
                required={!f.fallback}
                value={draft[f.key]}
                onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
              />
            </Field>
          ))}
        </div>
        <InlineError error={save.error} />
        <div className="flex justify-end gap-2">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save price"}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** What a call to the model recorded now would be priced at, before this change. */
function Preview({ resolved, loading, onUse }: { resolved: Resolved | undefined; loading: boolean; onUse: (r: Resolved) => void }) {
  if (loading || !resolved) return <p className="text-sm text-slate-500">Looking the model up…</p>;
  if (resolved.source === "unknown") {
    return (
      <p className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="price-preview">
        <Badge color="amber">unknown</Badge> The catalogue has no price for this model: its calls are recorded at $0 (unpriced).
      </p>
    );
  }
  return (
    <div className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-700" data-testid="price-preview">
      <Badge color={resolved.source === "custom" ? "violet" : "indigo"}>{resolved.source}</Badge>{" "}
      {resolved.source === "catalogue" ? `${resolved.matchedModel} (${resolved.provider}): ` : "Now: "}
      input {usd(resolved.inputPerMillionUsd)}, output {usd(resolved.outputPerMillionUsd)}
      {resolved.cachedInputPerMillionUsd !== null && `, cached ${usd(resolved.cachedInputPerMillionUsd)}`} per 1M tokens
      {resolved.tiered && " (base tier)"}.{" "}
      {resolved.source === "catalogue" && (
        <button type="button" className="font-medium text-indigo-600 hover:underline" onClick={() => onUse(resolved)}>
          Start from these
        </button>
      )}
    </div>
  );
}
