// Integration suites drive the real production server: build it once before they run.
export default async function setup() {
  // @ts-expect-error – a plain .mjs script without types
  const { buildIfNeeded } = await import("../../scripts/build-if-needed.mjs");
  if (process.env.TOKENIST_SKIP_BUILD !== "1") buildIfNeeded({ quiet: false });
}
