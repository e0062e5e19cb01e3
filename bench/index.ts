// npm run bench -- <record|check|soak|intent|adversarial|events|breakdown|all> : benchmarks print figures and ratios against a
// baseline measured in the same run (see BENCHMARKS.md).
const which = process.argv[2] ?? "all";
const suites: Record<string, () => Promise<unknown>> = {
  record: () => import("./record").then((m) => m.main()),
  check: () => import("./check").then((m) => m.main()),
  soak: () => import("./soak").then((m) => m.main()),
  intent: () => import("./intent").then((m) => m.main()),
  adversarial: () => import("./adversarial").then((m) => m.main()),
  // Minutes of bulk generation (10M events): run on its own, never in "all".
  events: () => import("./events").then((m) => m.main()),
  // A minute or two of bulk generation (1M events): on its own, never in "all".
  breakdown: () => import("./breakdown").then((m) => m.main()),
};

async function main() {
  const names = which === "all" ? ["record", "check", "intent"] : [which];
  for (const name of names) {
    const run = suites[name];
    if (!run) throw new Error(`unknown benchmark "${name}": one of ${Object.keys(suites).join(", ")}, all`);
    await run();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
