"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { type DateRange, resolveRange } from "./date-range";
import { useUrlState } from "./url-state";

/** How often a live page (Overview, an end user, Logs) asks the server for news. */
export const LIVE_INTERVAL_MS = 5_000;

function subscribeVisibility(onChange: () => void) {
  document.addEventListener("visibilitychange", onChange);
  return () => document.removeEventListener("visibilitychange", onChange);
}
const isVisible = () => document.visibilityState !== "hidden";

export interface Live {
  /** Polling now: not paused by the person and the tab is visible. */
  on: boolean;
  paused: boolean;
  hidden: boolean;
  setPaused: (paused: boolean) => void;
  /**
   * Spread into a live query's options. react-query's interval does nothing while the tab is
   * hidden (refetchIntervalInBackground false: query-core checks focusManager, i.e.
   * document.visibilityState, on each tick), and on an interval tick or a focus refetch it joins a
   * fetch still running instead of starting a second one (no cancelRefetch). "always" refetches at
   * once when the tab becomes visible again, however fresh the data is.
   */
  options: {
    refetchInterval: number | false;
    refetchIntervalInBackground: false;
    refetchOnWindowFocus: "always" | false;
  };
}

/** The live state of a page: a pause toggle, and polling that stops while the tab is hidden. */
export function useLive(): Live {
  const queryClient = useQueryClient();
  const [paused, setPausedState] = useState(false);
  const visible = useSyncExternalStore(subscribeVisibility, isVisible, () => true);
  const on = !paused && visible;
  const setPaused = useCallback(
    (next: boolean) => {
      setPausedState(next);
      // Resuming catches up at once rather than one interval later.
      if (!next) void queryClient.refetchQueries({ type: "active" });
    },
    [queryClient],
  );
  return {
    on,
    paused,
    hidden: !visible,
    setPaused,
    options: {
      refetchInterval: on ? LIVE_INTERVAL_MS : false,
      refetchIntervalInBackground: false,
      refetchOnWindowFocus: paused ? false : "always",
    },
  };
}

/**
 * The page's date range (useDateRange) with "now" moving while the page is live, so a preset such
 * as "Last 24 hours" rolls forward past the hour or day it was opened in. It is rounded to whole
 * hours or days, so the query keys change only at those boundaries.
 */
export function useLiveDateRange(live: Live, fallback = "30d"): DateRange {
  const { get } = useUrlState();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live.on) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), LIVE_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [live.on]);
  const range = resolveRange(get, fallback, now);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the range changes only when its bounds do
  return useMemo(() => range, [range.from.getTime(), range.to.getTime(), range.query]);
}

/** The newest dataUpdatedAt of a page's queries: when it last heard from the server. */
export function lastUpdated(...queries: Array<{ dataUpdatedAt: number }>): number {
  return Math.max(0, ...queries.map((q) => q.dataUpdatedAt));
}
