// Hashed text features shared by training (scripts/train-intent.ts) and inference
// (classifier.ts): they must stay byte-for-byte identical, so both import this file.
//
// Two groups, each L2-normalised on its own so that a long text is not "more" of anything
// than a short one (the jailbreak data is long role-play, the safe data short instructions;
// raw counts or length would let a model learn length instead of intent):
//   words: unigrams + bigrams of [letter/digit] runs in the lowercased text
//   chars: 3-, 4- and 5-grams of the lowercased text with whitespace runs folded to one space
// Values are sublinear counts (1 + ln count) before normalisation. Hashing is FNV-1a with a
// murmur finaliser into 2^HASH_BITS buckets; a smaller model folds buckets with `& mask`.
// Dense features are ratios (never counts or lengths).

export const HASH_BITS = 18;
export const DENSE_FEATURES = ["upperRatio", "nonAsciiRatio", "digitRatio"] as const;
/** Texts longer than this keep their first and last half: injections hide at either end. */
export const MAX_CHARS = 8000;
/** Window size for scoring long texts piecewise (see windowBounds). */
export const WINDOW_CHARS = 300;

const MASK = (1 << HASH_BITS) - 1;
const MAX_FEATURES = MAX_CHARS * 5 + 64;
const SEED_UNIGRAM = 0x1b873593;
const SEED_BIGRAM = 0x5bd1e995;
const SEED_CHAR = [0, 0, 0, 0x68e31da4, 0x2f6b7a1c, 0x7c1e4d93];

/** The sparse vector of the last `extractFeatures` call; reused between calls (no allocation). */
export interface FeatureVector {
  n: number;
  idx: Int32Array;
  val: Float32Array;
  dense: Float32Array;
}

const out: FeatureVector = {
  n: 0,
  idx: new Int32Array(MAX_FEATURES),
  val: new Float32Array(MAX_FEATURES),
  dense: new Float32Array(DENSE_FEATURES.length),
};
const counts = new Float32Array(1 << HASH_BITS);
const touched = new Int32Array(MAX_FEATURES);
let nTouched = 0;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function bump(hash: number): void {
  const b = fmix(hash) & MASK;
  if (counts[b] === 0) touched[nTouched++] = b;
  counts[b] += 1;
}

/** Moves the counted group into `out`, sublinear and L2-normalised, and clears the counts. */
function flushGroup(): void {
  let sq = 0;
  for (let i = 0; i < nTouched; i++) {
    const v = 1 + Math.log(counts[touched[i]]);
    sq += v * v;
  }
  const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
  for (let i = 0; i < nTouched; i++) {
    const b = touched[i];
    out.idx[out.n] = b;
    out.val[out.n++] = (1 + Math.log(counts[b])) * inv;
    counts[b] = 0;
  }
  nTouched = 0;
}

function isSpace(c: number): boolean {
  return c <= 32 || c === 0x85 || c === 0xa0 || (c >= 0x2000 && c <= 0x200b) || c === 0x2028 || c === 0x2029 || c === 0x3000 || c === 0xfeff;
}

function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
  // Letters of other scripts and emoji (surrogates) are word characters; general and CJK
  // punctuation are not.
  return !((c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xff0f) || isSpace(c));
}

/** First and last MAX_CHARS/2 characters of long texts. */
export function truncate(text: string): string {
  if (text.length <= MAX_CHARS) return text;
  const half = MAX_CHARS / 2;
  return `${text.slice(0, half)}\n${text.slice(text.length - half)}`;
}

/**
 * Boundaries [start0, end0, start1, end1, ...] of the windows a long text is also scored in,
 * cut at line or sentence ends near `size` characters. An injection is one sentence in a long
 * document; in the whole-text vector it is diluted, in its window it is not. Empty for short texts.
 */
export function windowBounds(text: string, size = WINDOW_CHARS): number[] {
  const bounds: number[] = [];
  if (text.length <= size * 1.5) return bounds;
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const nl = text.lastIndexOf("\n", end);
      const dot = text.lastIndexOf(". ", end);
      const cut = Math.max(nl, dot + 1);
      if (cut > start + size / 2) end = cut;
    }
    if (text.length - end < size / 3) end = text.length;
    bounds.push(start, end);
    start = end;
  }
  return bounds;
}

export function extractFeatures(raw: string, truncateFirst = true): FeatureVector {
  const original = truncateFirst ? truncate(raw) : raw;
  const text = original.toLowerCase();
  out.n = 0;

  // words
  let word = 0x811c9dc5;
  let inWord = false;
  let prev = 0;
  let hasPrev = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (isWordChar(c)) {
      word = Math.imul(word ^ c, 0x01000193);
      inWord = true;
    } else if (inWord) {
      bump(word ^ SEED_UNIGRAM);
      if (hasPrev) bump(Math.imul(prev, 0x9e3779b1) ^ word ^ SEED_BIGRAM);
      prev = word;
      hasPrev = true;
      word = 0x811c9dc5;
      inWord = false;
    }
  }
  flushGroup();

  // chars: a ring of the last 5 normalised characters, hashed backwards from the newest so
  // the 3-, 4- and 5-gram ending here share work.
  const ring = [32, 32, 32, 32, 32];
  let pos = 0;
  let seen = 1;
  let lastSpace = true;
  for (let i = 0; i <= text.length; i++) {
    let c = i < text.length ? text.charCodeAt(i) : 32;
    if (isSpace(c)) {
      if (lastSpace) continue;
      c = 32;
      lastSpace = true;
    } else lastSpace = false;
    ring[pos] = c;
    pos = (pos + 1) % 5;
    seen++;
    let h = 0x811c9dc5;
    for (let n = 1; n <= 5 && n <= seen; n++) {
      h = Math.imul(h ^ ring[(pos + 5 - n) % 5], 0x01000193);
      if (n >= 3) bump(h ^ SEED_CHAR[n]);
    }
  }
  flushGroup();

  let letters = 0;
  let upper = 0;
  let nonAscii = 0;
  let digits = 0;
  for (let i = 0; i < original.length; i++) {
    const c = original.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      upper++;
      letters++;
    } else if (c >= 97 && c <= 122) letters++;
    else if (c >= 48 && c <= 57) digits++;
    else if (c > 127) nonAscii++;
  }
  const len = Math.max(1, original.length);
  out.dense[0] = letters > 0 ? upper / letters : 0;
  out.dense[1] = nonAscii / len;
  out.dense[2] = digits / len;
  return out;
}
