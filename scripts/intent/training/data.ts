// Loading, grouping and splitting the intent training data (used by scripts/intent/train.ts).
import fs from "node:fs";

export interface TRow {
  text: string;
  label: string;
  source: string;
  /** The source a row is held out by: one repository/dataset or one kind of own data. */
  group: string;
  /** For injections spliced into a long benign text: the inserted span. */
  injection?: string;
  /**
   * Benign text read only by the character LM and the suffix head (`"only": "lm-and-suffix-heads"`
   * in the file): text in other languages, there so that the LM knows their letters and the head does
   * not take them for an optimised suffix; kept out of the main models, their thresholds and the
   * random split, which a source of easy negatives would tilt (the jailbreak threshold is set on the
   * false-positive rate averaged over sources: one more source at 0% lowers it).
   */
  lmAndHeadsOnly?: boolean;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffleInPlace<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

export function sourceGroup(source: string): string {
  if (source.includes("tokenist:templated-injection")) return "tokenist:templated-injection";
  // npm package excerpts around which tokenist:templated built its documents; any other npm source
  // is its own package.
  if (source.startsWith("npm:"))
    return / \(tokenist:/.test(source) ? "tokenist:templated-docs" : (/^npm:(@?[^@]+)/.exec(source)?.[0] ?? source);
  if (source.startsWith("tokenist:")) return source;
  if (source.startsWith("kaif0102/")) return "verazuo/jailbreak_llms";
  if (source.startsWith("leolee99/PIGuard")) return "leolee99/PIGuard NotInject";
  return source.split(":")[0];
}

export function readJsonl(file: string): TRow[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l) as { text: string; label: string; source?: string; injection?: string; collection?: string; only?: string };
      const label = r.label === "neutral" ? "safe" : r.label;
      const source = r.source ?? "unknown";
      // `collection`: rows gathered from many small sources that count as one (e.g. the READMEs of 23
      // npm security packages), so they are weighed and held out as one source, not 23.
      const group = r.collection ?? sourceGroup(source);
      if (r.only !== undefined && r.only !== "lm-and-suffix-heads") throw new Error(`${file}: unknown "only": ${r.only}`);
      return {
        text: r.text,
        label,
        source,
        group,
        ...(r.injection ? { injection: r.injection } : {}),
        ...(r.only ? { lmAndHeadsOnly: true } : {}),
      };
    });
}

/** Drops rows whose text (case and whitespace folded) an earlier row already has: the first wins. */
export function dedupe(rows: TRow[]): TRow[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = r.text.toLowerCase().replace(/\s+/g, " ").trim();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Indices split per stratum (label + group) so every source is represented on both sides. */
export function stratifiedSplit(rows: TRow[], testFraction: number, seed: number): { train: number[]; test: number[] } {
  const rand = mulberry32(seed);
  const strata = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const key = `${r.label}|${r.group}`;
    strata.set(key, [...(strata.get(key) ?? []), i]);
  });
  const train: number[] = [];
  const test: number[] = [];
  for (const key of [...strata.keys()].sort()) {
    const idx = shuffleInPlace([...strata.get(key)!], rand);
    const nTest = Math.round(idx.length * testFraction);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/** k folds of `indices`, stratified by label. */
export function kFolds(rows: TRow[], indices: number[], k: number, seed: number): number[][] {
  const rand = mulberry32(seed);
  const byLabel = new Map<string, number[]>();
  for (const i of indices) byLabel.set(rows[i].label, [...(byLabel.get(rows[i].label) ?? []), i]);
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const key of [...byLabel.keys()].sort()) {
    for (const i of shuffleInPlace([...byLabel.get(key)!], rand)) folds[next++ % k].push(i);
  }
  return folds;
}
