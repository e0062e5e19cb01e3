// Hashed text features shared by training (scripts/intent/train.ts) and inference
// (classifier.ts): they must stay byte-for-byte identical, so both import this file.
//
// Two groups, each L2-normalised on its own so that a long text is not "more" of anything
// than a short one (the jailbreak data is long role-play, the safe data short instructions;
// raw counts or length would let a model learn length instead of intent):
//   words: unigrams + bigrams of [letter/digit] runs in the lowercased text
//   chars: 3-, 4- and 5-grams of the lowercased text with whitespace runs folded to one space
// Values are sublinear counts (1 + ln count) before normalisation. Hashing is FNV-1a, then
// Fibonacci hashing into 2^HASH_BITS buckets; a smaller model folds buckets with `& mask`.
// Dense features are ratios (never counts or lengths).

export const HASH_BITS = 18;
export const DENSE_FEATURES = ["upperRatio", "nonAsciiRatio", "digitRatio"] as const;
/** Texts longer than this keep their first and last half: injections hide at either end. */
export const MAX_CHARS = 8000;
/** Window size for scoring long texts piecewise (see windowBounds). */
export const WINDOW_CHARS = 300;

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
// The prepared text: every word and char-gram bucket with the index of the character it ends
// at, in text order, so the whole text and each window are built without hashing twice.
const wordBucket = new Int32Array(2 * MAX_CHARS + 16);
const wordPos = new Int32Array(2 * MAX_CHARS + 16);
const charBucket = new Int32Array(3 * MAX_CHARS + 16);
const charPos = new Int32Array(3 * MAX_CHARS + 16);
let nWords = 0;
let nChars = 0;
const counts = new Uint16Array(1 << HASH_BITS);
const touched = new Int32Array(MAX_FEATURES);
let nTouched = 0;
const SUBLINEAR = Float32Array.from({ length: 1024 }, (_, c) => (c === 0 ? 0 : 1 + Math.log(c)));

/** Fibonacci hashing: the top HASH_BITS bits of the FNV hash times the golden ratio. */
function bucketOf(hash: number): number {
  return Math.imul(hash, 0x9e3779b1) >>> (32 - HASH_BITS);
}

/** Adds the buckets [from, to) ending inside [start, end) to `out` as one L2-normalised group. */
function addGroup(buckets: Int32Array, pos: Int32Array, total: number, start: number, end: number): void {
  let lo = 0;
  let hi = total;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pos[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < total && pos[i] < end; i++) {
    const b = buckets[i];
    if (counts[b] === 0) touched[nTouched++] = b;
    if (counts[b] < 0xffff) counts[b]++;
  }
  let sq = 0;
  for (let i = 0; i < nTouched; i++) {
    const c = counts[touched[i]];
    const v = c < 1024 ? SUBLINEAR[c] : 1 + Math.log(c);
    sq += v * v;
  }
  const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
  for (let i = 0; i < nTouched; i++) {
    const b = touched[i];
    const c = counts[b];
    out.idx[out.n] = b;
    out.val[out.n++] = (c < 1024 ? SUBLINEAR[c] : 1 + Math.log(c)) * inv;
    counts[b] = 0;
  }
  nTouched = 0;
}

function isSpace(c: number): boolean {
  return (
    c <= 32 || c === 0x85 || c === 0xa0 || (c >= 0x2000 && c <= 0x200b) || c === 0x2028 || c === 0x2029 || c === 0x3000 || c === 0xfeff
  );
}

function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
  // Letters of other scripts and emoji (surrogates) are word characters; general and CJK
  // punctuation are not.
  return !((c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xff0f) || isSpace(c));
}

// Characters that render as nothing or as another character, used to hide instructions from a
// reader and from n-gram models: Unicode tag characters (U+E0000 block, "ASCII smuggling": each
// maps to an ASCII character), zero-width and bidi controls, soft hyphens; and compatibility forms
// (fullwidth Ｉｇｎｏｒｅ, ligatures, circled letters) that NFKC folds to plain letters.
const TAG_CHAR = /\uDB40[\uDC20-\uDC7E]/g;
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]|\uDB40[\uDC00-\uDC1F\uDC7F]/g;

/**
 * The text as a reader's model should see it: tag characters decoded to the ASCII they encode,
 * invisible characters removed, NFKC compatibility folding. ASCII-only texts are returned as they
 * are (no allocation on the hot path).
 */
export function normalizeText(text: string): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  return text
    .replace(TAG_CHAR, (pair) => String.fromCharCode(pair.charCodeAt(1) - 0xdc00))
    .replace(INVISIBLE, "")
    .normalize("NFKC");
}

/**
 * The text a model scores: its first and last MAX_CHARS/2 characters if long, normalised (cut
 * first so a huge input costs no more than 8,000 characters of work; cut again because NFKC
 * can lengthen a text).
 */
export function textForModel(raw: string): string {
  return truncate(normalizeText(truncate(raw)));
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

/**
 * Hashes a text (already truncated, at most MAX_CHARS + 1 characters) once; `vectorOf` then
 * builds the vector of the whole text or of any window of it.
 */
export function prepareText(original: string): void {
  if (original.length > MAX_CHARS + 1) throw new Error("prepareText: truncate() the text first");
  const text = original.toLowerCase();
  nWords = 0;
  nChars = 0;

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
      wordBucket[nWords] = bucketOf(word ^ SEED_UNIGRAM);
      wordPos[nWords++] = i - 1;
      if (hasPrev) {
        wordBucket[nWords] = bucketOf(Math.imul(prev, 0x9e3779b1) ^ word ^ SEED_BIGRAM);
        wordPos[nWords++] = i - 1;
      }
      prev = word;
      hasPrev = true;
      word = 0x811c9dc5;
      inWord = false;
    }
  }

  // A ring of the last 5 normalised characters, hashed backwards from the newest so the 3-, 4-
  // and 5-gram ending at a character share work.
  let r0 = 32;
  let r1 = 32;
  let r2 = 32;
  let r3 = 32;
  let seen = 1;
  let lastSpace = true;
  for (let i = 0; i <= text.length; i++) {
    let c = i < text.length ? text.charCodeAt(i) : 32;
    if (isSpace(c)) {
      if (lastSpace) continue;
      c = 32;
      lastSpace = true;
    } else lastSpace = false;
    seen++;
    const at = Math.min(i, text.length - 1);
    let h = Math.imul(0x811c9dc5 ^ c, 0x01000193);
    h = Math.imul(h ^ r0, 0x01000193);
    if (seen >= 3) {
      h = Math.imul(h ^ r1, 0x01000193);
      charBucket[nChars] = bucketOf(h ^ SEED_CHAR[3]);
      charPos[nChars++] = at;
      if (seen >= 4) {
        h = Math.imul(h ^ r2, 0x01000193);
        charBucket[nChars] = bucketOf(h ^ SEED_CHAR[4]);
        charPos[nChars++] = at;
        if (seen >= 5) {
          h = Math.imul(h ^ r3, 0x01000193);
          charBucket[nChars] = bucketOf(h ^ SEED_CHAR[5]);
          charPos[nChars++] = at;
        }
      }
    }
    r3 = r2;
    r2 = r1;
    r1 = r0;
    r0 = c;
  }

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
}

/** The vector of characters [start, end) of the prepared text (dense features: whole text). */
export function vectorOf(start: number, end: number): FeatureVector {
  out.n = 0;
  addGroup(wordBucket, wordPos, nWords, start, end);
  addGroup(charBucket, charPos, nChars, start, end);
  return out;
}

/** The vector of a whole text (normalised and truncated first). */
export function extractFeatures(raw: string): FeatureVector {
  const text = textForModel(raw);
  prepareText(text);
  return vectorOf(0, text.length);
}
