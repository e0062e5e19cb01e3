"use client";

import { cx } from "./ui";
import type { Live } from "./use-live";

function clock(ms: number) {
  return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** "Live · updated 14:03:07" with a pause toggle; says why when it is not polling. */
export function LiveIndicator({ live, updatedAt, idle }: { live: Live; updatedAt: number; idle?: string }) {
  const polling = live.on && !idle;
  const state = live.paused ? "Paused" : live.hidden ? "Paused (tab hidden)" : (idle ?? "Live");
  return (
    <div
      className="flex items-center gap-2 rounded-lg bg-white px-2.5 py-1 text-xs text-slate-500 shadow-sm ring-1 ring-slate-200"
      data-testid="live-indicator"
      data-live={polling ? "on" : "off"}
    >
      <span className="relative inline-flex h-2 w-2" aria-hidden>
        {polling && <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-emerald-400 opacity-75" />}
        <span className={cx("relative inline-flex h-2 w-2 rounded-full", polling ? "bg-emerald-500" : "bg-slate-300")} />
      </span>
      <span className="font-medium text-slate-700">{state}</span>
      {updatedAt > 0 && (
        <span>
          · updated{" "}
          <time dateTime={new Date(updatedAt).toISOString()} className="tabular-nums" data-testid="live-updated-at">
            {clock(updatedAt)}
          </time>
        </span>
      )}
      <button
        type="button"
        onClick={() => live.setPaused(!live.paused)}
        aria-pressed={live.paused}
        className="ml-1 rounded-md px-1.5 py-0.5 font-medium text-indigo-600 hover:bg-indigo-50"
      >
        {live.paused ? "Resume" : "Pause"}
      </button>
    </div>
  );
}
