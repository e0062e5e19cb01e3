/**
 * Process-wide state. Next.js bundles each route (and instrumentation) separately, so a
 * module-level Map would exist once per bundle; caches and counters that every door must
 * share live on globalThis instead.
 */
export function processGlobal<T>(key: string, init: () => T): T {
  const store = globalThis as unknown as Record<string, T>;
  store[`__tokenist_${key}`] ??= init();
  return store[`__tokenist_${key}`]!;
}
