"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage, LoadingRows } from "@/app/_components/states";
import { Button } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";
import type { RuleInput } from "./rule-form";
import { ShadowResult } from "./shadow-result";

/**
 * "Preview last 7 days": replays the form's current values over the calls of the last 7 days (an
 * estimate, not a record of checks). Runs on demand, not as you type: a replay reads a week of
 * rollups. The result says when the form has changed since.
 */
export function RulePreview({ body }: { body: () => RuleInput }) {
  const blocks = body().action === "block";
  const ws = useWorkspace();
  const trpc = useTRPC();
  const [asked, setAsked] = useState<RuleInput | null>(null);
  const preview = useQuery({
    ...trpc.rules.preview.queryOptions({ workspaceId: ws.id, rule: asked ?? body() }),
    enabled: asked !== null,
    retry: false,
    staleTime: 0,
  });
  const stale = asked !== null && JSON.stringify(asked) !== JSON.stringify(body());
  return (
    <section className="rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200" aria-label="Preview" data-testid="rule-preview">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-xs text-slate-600">
          What this rule would have done over the last 7 days: an estimate, replaying the calls recorded then.
        </p>
        <Button
          size="sm"
          variant="secondary"
          disabled={preview.isFetching}
          onClick={() => {
            const next = body();
            if (asked && JSON.stringify(asked) === JSON.stringify(next)) preview.refetch();
            else setAsked(next);
          }}
        >
          {preview.isFetching ? "Replaying…" : "Preview last 7 days"}
        </Button>
      </div>
      {asked !== null && (
        <div className="mt-3">
          {preview.isPending ? (
            <LoadingRows rows={2} label="Replaying the last 7 days" />
          ) : preview.isError ? (
            <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
              Could not preview: {errorMessage(preview.error)}
            </p>
          ) : preview.data.wouldDeny === 0 ? (
            <p className="text-sm text-slate-700" data-testid="preview-empty">
              Over {preview.data.checks.toLocaleString("en-US")} checks, this rule would have {blocks ? "denied" : "acted on"} nothing in
              the last 7 days.
            </p>
          ) : (
            <ShadowResult report={preview.data} blocks={asked?.action === "block"} />
          )}
          {stale && <p className="mt-2 text-xs text-amber-700">The form has changed since this preview: preview again to update it.</p>}
        </div>
      )}
    </section>
  );
}
