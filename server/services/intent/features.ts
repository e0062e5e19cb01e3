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
// Dense features are ratios and per-character averages (never counts or lengths):
//   case, non-ASCII and digit ratios;
//   a character language model's surprise (bits per character, overall and over the worst
//   window of LM_WINDOW characters; see "Character language model" below) — optimised
//   adversarial suffixes (GCG, DSN) are strings no benign writer types;
//   "token soup": the share of whitespace tokens that are not words, numbers, identifiers or
//   URLs (letters glued to brackets and symbols, lower→upper case switches, stray symbol runs),
//   overall and over the worst 12-token window, set against cues of source code (code-like line
//   ends and indentation, balanced brackets), because code is token soup of a benign kind;
//   a harmful-topic lexicon, a framing lexicon (fiction, hypotheticals, research, urgency) and
//   their product: attacker-LLM rewrites (PAIR, PAP) keep the harmful request inside a frame,
//   while benign role-play has the frame without the harm and benign questions the word
//   without the frame.
// The LM features, the last-window soup and the line-break count (the one count, capped at 1:
// documents are many lines, an optimised suffix rides on one) feed only the suffix head
// (create-classifier.ts); the linear models get them as 0 (scripts/intent/training/fit.ts).

import { FNV_OFFSET, FNV_PRIME, fnvWord, WordBits } from "./fnv";
import { reveal, revealUnicode, type TRevealed } from "./hidden-text";
import { HARM_WORDS } from "./lexicon";
import type { LinearModel } from "./linear";

// Local copies of fnv.ts's constants: in CommonJS output (tsx, bundles that do not hoist modules) an
// imported binding is read through a getter, and these are read for every character of a text.
const OFFSET = FNV_OFFSET;
const PRIME = FNV_PRIME;

export const HASH_BITS = 18;
export const DENSE_FEATURES = [
  "upperRatio",
  "nonAsciiRatio",
  "digitRatio",
  "lmMean",
  "lmWorst",
  "lmWorstOver4",
  "lmWorstOver5",
  "lmSpike",
  "soupShare",
  "soupWorst",
  "soupOutsideCode",
  "codeLines",
  "bracketImbalance",
  "mixedScript",
  "harmWords",
  "framingWords",
  "harmInFrame",
  "lmWorstOutsideCode",
  "lmTail",
  "soupTail",
  "lineBreaks",
] as const;
/** Features read by the suffix head only (see create-classifier.ts); 0 for the linear models. */
export const LM_FEATURES = [3, 4, 5, 6, 7, 17, 18, 19, 20] as const;
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
/** A bucket's value before normalising: 1 + ln(count), from the table for counts under 1,024. */
const sublinear = (c: number) => (c < 1024 ? SUBLINEAR[c] : 1 + Math.log(c));

/** Fibonacci hashing: the top HASH_BITS bits of the FNV hash times the golden ratio. */
function bucketOf(hash: number): number {
  return Math.imul(hash, 0x9e3779b1) >>> (32 - HASH_BITS);
}

/**
 * Counts the buckets ending inside [start, end) (`counts`, `touched`) and returns the factor that
 * L2-normalises their sublinear values.
 */
function countGroup(buckets: Int32Array, pos: Int32Array, total: number, start: number, end: number): number {
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
    const v = sublinear(c);
    sq += v * v;
  }
  return sq > 0 ? 1 / Math.sqrt(sq) : 0;
}

/** Adds the buckets ending inside [start, end) to `out` as one L2-normalised group. */
function addGroup(buckets: Int32Array, pos: Int32Array, total: number, start: number, end: number): void {
  const inv = countGroup(buckets, pos, total, start, end);
  for (let i = 0; i < nTouched; i++) {
    const b = touched[i];
    const c = counts[b];
    out.idx[out.n] = b;
    out.val[out.n++] = sublinear(c) * inv;
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

// Greek and Cyrillic letters drawn like Latin ones (Unicode's confusables, TR39), the other way to
// write "Ιgnore αll prevιous ιnstructιons" so that no n-gram matches while a reader sees no change.
const CONFUSABLE_FROM = "АВЕЅІЈКМНОРСТХУаеіјорсхуѕԁԛԝһӏёїΑΒΕΖΗΙΚΜΝΟΡΤΥΧαικνορτυχεγ";
const CONFUSABLE_TO = "ABESIJKMHOPCTXYaeijopcxysdqwhleiABEZHIKMNOPTYXaikvoptuxey";
/** Latin char code by Greek or Cyrillic char code (all below U+0530), 0 for none. */
const CONFUSABLE = new Uint16Array(0x530);
for (let i = 0; i < CONFUSABLE_FROM.length; i++) CONFUSABLE[CONFUSABLE_FROM.charCodeAt(i)] = CONFUSABLE_TO.charCodeAt(i);
const confusable = (code: number) => (code < 0x530 ? CONFUSABLE[code]! : 0);
const HAS_CONFUSABLE = new RegExp(`[${CONFUSABLE_FROM}]`);

/** A–Z, a–z and the accented Latin letters (Latin-1 and Latin Extended-A/B: é, ß, ł, ș). */
const isLatinLetter = (code: number) =>
  ((code | 32) >= 97 && (code | 32) <= 122) || (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7);
/** Letters of other scripts, roughly (tested after isLatinLetter): no general or CJK punctuation. */
const isOtherLetter = (code: number) => code > 0x24f && !(code >= 0x2000 && code <= 0x206f) && !(code >= 0x3000 && code <= 0x303f);

/**
 * Confusable letters folded to the Latin ones they imitate, in words that mix them with Latin
 * letters ("prevιous") or, in a text that is mostly Latin, words made of them alone ("αll" with
 * its Latin l's is the first case, "ор" the second). A Greek or Russian word holds letters with no
 * Latin look-alike (λ, и) and is left as it is, as is any text written mostly in those scripts.
 * One pass over char codes, no regular expression per word: this runs on /sdk/check's input.
 */
function foldConfusables(text: string): string {
  if (!HAS_CONFUSABLE.test(text)) return text;
  let latin = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isLatinLetter(code)) latin++;
    else if (isOtherLetter(code)) other++;
  }
  const mostlyLatin = latin >= other;
  let out = "";
  let copied = 0;
  for (let i = 0; i < text.length; ) {
    const first = text.charCodeAt(i);
    if (!isLatinLetter(first) && !isOtherLetter(first)) {
      i++;
      continue;
    }
    const start = i;
    let hasLatin = false;
    let hasConfusable = false;
    let hasOther = false;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (isLatinLetter(code)) hasLatin = true;
      else if (confusable(code)) hasConfusable = true;
      else if (isOtherLetter(code))
        hasOther = true; // a letter with no Latin look-alike: a real word of its script
      else break;
    }
    if (!hasConfusable || hasOther || !(hasLatin || mostlyLatin)) continue;
    out += text.slice(copied, start);
    for (let j = start; j < i; j++) {
      const code = text.charCodeAt(j);
      out += String.fromCharCode(confusable(code) || code);
    }
    copied = i;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * The text as a reader's model should see it: tag characters decoded to the ASCII they encode,
 * invisible characters removed, NFKC compatibility folding, Greek and Cyrillic look-alikes of
 * Latin letters folded where they hide Latin words. ASCII-only texts are returned as they are (no
 * allocation on the hot path).
 */
export function normalizeText(text: string): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  return foldConfusables(
    text
      .replace(TAG_CHAR, (pair) => String.fromCharCode(pair.charCodeAt(1) - 0xdc00))
      .replace(INVISIBLE, "")
      .normalize("NFKC"),
  );
}

/**
 * The text a model scores: its first and last MAX_CHARS/2 characters if long, with text hidden by
 * Unicode revealed (`revealUnicode`: ASCII in tag characters, variation selectors or Sneaky Bits,
 * before normalising removes them; Zalgo's stacked marks), normalised (cut first so a huge input
 * costs no more than 8,000 characters of work; cut again because NFKC can lengthen a text), then
 * with what is hidden in an encoding decoded and encoded data that is no text left out (`reveal`,
 * hidden-text.ts; decoding shortens or keeps a span's length, but lower-casing a decoded span can
 * lengthen it by a character, "İ" → "i̇", hence the last cut). `hidden` lists the decoded spans,
 * those Unicode hid first.
 */
export function revealedForModel(raw: string): TRevealed {
  const unicode = revealUnicode(truncate(raw));
  const revealed = reveal(truncate(normalizeText(unicode.text)));
  if (unicode.hidden.length > 0) revealed.hidden.unshift(...unicode.hidden);
  return revealed.text.length > MAX_CHARS ? { ...revealed, text: truncate(revealed.text) } : revealed;
}

/** The text of `revealedForModel`: what training, evaluation, the classifier and the policy matcher read. */
export function textForModel(raw: string): string {
  return revealedForModel(raw).text;
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

const FRAME_WORDS =
  "fictional fiction hypothetical hypothetically novel story stories screenplay character characters roleplay imagine pretend scenario scenarios game researcher researchers research educational academic thriller villain writer author playwright dystopian simulation theoretically theoretical professor expert journalist detective investigator screenwriter movie film chapter plot protagonist narrative fantasy alternate persuasive urgent urgently grandmother dying deadline lives desperate creative fictitious imaginary universe script scene dialogue persona";

// One lookup per word for both lexicons (a word in both counts as harm).
const HARM = 1;
const FRAME = 2;
const FRAME_LIST = FRAME_WORDS.split(" ");
const LEXICON = new WordBits(HARM_WORDS.length + FRAME_LIST.length);
for (const w of HARM_WORDS) LEXICON.add(fnvWord(w), HARM);
for (const w of FRAME_LIST) LEXICON.add(fnvWord(w), FRAME);

/** Whether a text holds a word of the harm lexicon (the `harmWords` feature's words). */
export function hasHarmWord(text: string): boolean {
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) if (LEXICON.get(fnvWord(w)) & HARM) return true;
  return false;
}

/**
 * Hashes a text (already truncated, at most MAX_CHARS + 1 characters) once; `vectorOf` then
 * builds the vector of the whole text or of any window of it.
 */
export function prepareText(original: string, lm?: Uint8Array | null): void {
  if (original.length > MAX_CHARS + 1) throw new Error("prepareText: truncate() the text first");
  const text = original.toLowerCase();
  nWords = 0;
  nChars = 0;

  let word = OFFSET;
  let inWord = false;
  let harm = 0;
  let frame = 0;
  let prev = 0;
  let hasPrev = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (isWordChar(c)) {
      word = Math.imul(word ^ c, PRIME);
      inWord = true;
    } else if (inWord) {
      const lexicon = LEXICON.get(word);
      if (lexicon & HARM) harm++;
      else if (lexicon & FRAME) frame++;
      wordBucket[nWords] = bucketOf(word ^ SEED_UNIGRAM);
      wordPos[nWords++] = i - 1;
      if (hasPrev) {
        wordBucket[nWords] = bucketOf(Math.imul(prev, 0x9e3779b1) ^ word ^ SEED_BIGRAM);
        wordPos[nWords++] = i - 1;
      }
      prev = word;
      hasPrev = true;
      word = OFFSET;
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
    let h = Math.imul(OFFSET ^ c, PRIME);
    h = Math.imul(h ^ r0, PRIME);
    if (seen >= 3) {
      h = Math.imul(h ^ r1, PRIME);
      charBucket[nChars] = bucketOf(h ^ SEED_CHAR[3]);
      charPos[nChars++] = at;
      if (seen >= 4) {
        h = Math.imul(h ^ r2, PRIME);
        charBucket[nChars] = bucketOf(h ^ SEED_CHAR[4]);
        charPos[nChars++] = at;
        if (seen >= 5) {
          h = Math.imul(h ^ r3, PRIME);
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

  nSym = 0;
  let symSpace = true;
  for (let i = 0; i < original.length; i++) {
    const sym = lmSymbol(original.charCodeAt(i));
    if (sym === 0) {
      if (symSpace) continue;
      symSpace = true;
    } else symSpace = false;
    lmSym[nSym++] = sym;
  }
  // Without a table (a model trained before the LM existed, or the LM's own training) the LM
  // features are 0.
  const { mean, worst, tail } = lm ? lmSurprise(lm) : { mean: 0, worst: 0, tail: 0 };
  out.dense[3] = mean / 8;
  out.dense[4] = worst / 8;
  out.dense[5] = Math.max(0, worst - 4) / 4;
  out.dense[6] = Math.max(0, worst - 5) / 4;
  out.dense[7] = Math.max(0, worst - mean) / 4;
  const soup = soupStats(original);
  out.dense[8] = soup.share;
  out.dense[9] = soup.worst;
  out.dense[10] = soup.worst * Math.max(0, 1 - 2 * soup.codeLines);
  out.dense[11] = soup.codeLines;
  out.dense[12] = soup.bracketImbalance;
  out.dense[13] = soup.mixedScript;
  out.dense[14] = Math.min(1, harm / 2);
  out.dense[15] = Math.min(1, frame / 2);
  out.dense[16] = out.dense[14] * out.dense[15];
  out.dense[17] = (Math.max(0, worst - 4) / 4) * Math.max(0, 1 - 2 * soup.codeLines);
  out.dense[18] = tail / 8;
  out.dense[19] = soup.tail;
  out.dense[20] = Math.min(1, soup.lines / 8);
}

// ---------------------------------------------------------------------------------------------
// Character language model (Alon & Kamfonas 2023, Jain et al. 2023 use an LLM's perplexity; this
// is the in-process version): an order-3 model over a 63-symbol alphabet — a–z, "an upper-case
// letter", "a digit", 32 ASCII punctuation marks, "another letter", "another symbol", space — so
// that a lower→upper switch ("similarlyNow") or letters glued to brackets ("textit](") cost bits.
// The table holds −log2 P(c | two previous symbols) × LM_STEPS_PER_BIT for all 64^3 contexts
// (Witten–Bell smoothed at training time, scripts/intent/training/char-lm.ts), one byte each.

export const LM_SYMBOLS = 64;
export const LM_TABLE_SIZE = LM_SYMBOLS * LM_SYMBOLS * LM_SYMBOLS;
export const LM_STEPS_PER_BIT = 16;
export const LM_WINDOW = 32;
const LM_PUNCT = ".,;:!?'\"()[]{}<>/\\-_*+=&%$#@~`^|";
const ASCII_SYMBOL = new Uint8Array(128);
for (let c = 97; c <= 122; c++) ASCII_SYMBOL[c] = c - 96;
for (let c = 65; c <= 90; c++) ASCII_SYMBOL[c] = 27;
for (let c = 48; c <= 57; c++) ASCII_SYMBOL[c] = 28;
for (let k = 0; k < LM_PUNCT.length; k++) ASCII_SYMBOL[LM_PUNCT.charCodeAt(k)] = 29 + k;

// Latin letters with diacritics are their base letter to the LM ("ệ" is "e", "Ł" an upper-case
// letter): as "another letter" they made fluent Vietnamese, Polish or Czech cost as many bits as
// an optimised suffix's token soup, and the suffix head flagged ordinary messages in them. Latin-1,
// Latin Extended-A and -B, and Latin Extended Additional (Vietnamese), folded by NFD; the letters
// NFD leaves alone (đ, ł, ø, ß, æ, œ, ı, ð, þ) by hand.
const LATIN_FOLD_END = 0x1f00;
const LATIN_FOLD = new Uint8Array(LATIN_FOLD_END);
const foldLatin = (c: number, base: string) => {
  const b = base.charCodeAt(0);
  if (b >= 97 && b <= 122) LATIN_FOLD[c] = ASCII_SYMBOL[b]!;
  else if (b >= 65 && b <= 90) LATIN_FOLD[c] = 27;
};
for (const [from, to] of [
  [0xc0, 0x24f],
  [0x1e00, 0x1eff],
]) {
  for (let c = from!; c <= to!; c++) foldLatin(c, String.fromCharCode(c).normalize("NFD"));
}
for (const [letter, base] of Object.entries({
  đ: "d",
  Đ: "D",
  ł: "l",
  Ł: "L",
  ø: "o",
  Ø: "O",
  ß: "s",
  æ: "a",
  Æ: "A",
  œ: "o",
  Œ: "O",
  ı: "i",
  ð: "d",
  Ð: "D",
  þ: "t",
  Þ: "T",
})) {
  foldLatin(letter.charCodeAt(0), base);
}

function lmSymbol(c: number): number {
  if (c < 128) return ASCII_SYMBOL[c];
  if (c < LATIN_FOLD_END && LATIN_FOLD[c] !== 0) return LATIN_FOLD[c]!;
  if (isSpace(c)) return 0;
  return isWordChar(c) ? 61 : 62;
}

const lmSym = new Uint8Array(MAX_CHARS + 16);
let nSym = 0;

/** The LM symbols of a text (whitespace runs folded to one space), for training the table. */
export function lmSymbolsOf(text: string): Uint8Array {
  const syms = new Uint8Array(text.length);
  let n = 0;
  let lastSpace = true;
  for (let i = 0; i < text.length; i++) {
    const s = lmSymbol(text.charCodeAt(i));
    if (s === 0) {
      if (lastSpace) continue;
      lastSpace = true;
    } else lastSpace = false;
    syms[n++] = s;
  }
  return syms.subarray(0, n);
}

/** Mean and worst-window bits per symbol of the prepared text under `table`. */
function lmSurprise(table: Uint8Array): { mean: number; worst: number; tail: number } {
  // Under one window of symbols the estimate is noise ("?", "huh" cost many bits): no evidence.
  if (nSym < LM_WINDOW) return { mean: 0, worst: 0, tail: 0 };
  const nll = soupScratch;
  let a = 0;
  let b = 0;
  let total = 0;
  for (let i = 0; i < nSym; i++) {
    const c = lmSym[i];
    const v = table[(a << 12) | (b << 6) | c];
    nll[i] = v;
    total += v;
    a = b;
    b = c;
  }
  const mean = total / nSym / LM_STEPS_PER_BIT;
  let sum = 0;
  for (let i = 0; i < LM_WINDOW; i++) sum += nll[i];
  let worst = sum;
  for (let i = LM_WINDOW; i < nSym; i++) {
    sum += nll[i] - nll[i - LM_WINDOW];
    if (sum > worst) worst = sum;
  }
  // `sum` ends as the last window: optimised suffixes are appended to the request.
  return { mean, worst: worst / LM_WINDOW / LM_STEPS_PER_BIT, tail: sum / LM_WINDOW / LM_STEPS_PER_BIT };
}

// ---------------------------------------------------------------------------------------------
// Token soup: each whitespace token, stripped of leading/trailing quotes, brackets and sentence
// punctuation, gets a soup value — 0 for words (letters, inner ' and -), numbers, abbreviations
// (e.g., U.S.), URLs and markdown rules; 0.2 letters+digits ("mp3", "covid19"); 0.3 a lower→upper
// switch ("iPhone", "similarlyNow") or an identifier/path ("foo.bar", "my_var", "src/a.ts");
// 1 letters glued to other symbols ("giving**ONE", "<?hide](textit", ";)Diff", "$\{fen");
// 0.25/0.5 a lone symbol / symbol run ("+", "!=").

const SOUP_WINDOW = 12;
const soupScratch = new Float32Array(MAX_CHARS + 16);
const OPENERS = "([{\"'<*_`#@$\u201c\u2018\u00ab";
const CLOSERS = ".,;:!?)]}\"'>*_`%\u201d\u2019\u00bb";
const PROSE_SYMBOLS = "-*#>|&/=\u2013\u2014\u2022\u2026";

// Per UTF-16 code unit: an opener or closer stripped off a token, a symbol prose uses alone.
const OPENER = 1;
const CLOSER = 2;
const PROSE = 4;
const SOUP_CHAR = new Uint8Array(0x10000);
for (const [chars, bit] of [
  [OPENERS, OPENER],
  [CLOSERS, CLOSER],
  [PROSE_SYMBOLS, PROSE],
] as const)
  for (let i = 0; i < chars.length; i++) SOUP_CHAR[chars.charCodeAt(i)] |= bit;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
/** Whether the token scored last by `soupOf` mixes ASCII letters with other letters (another script, or accents). */
let soupMixedScript = false;

/**
 * How much the whitespace token t[s, e) looks like token soup (0 a word … 1 letters glued to
 * symbols); sets `soupMixedScript`. Called once per token of up to 8,000 characters: no string,
 * regular expression or object unless the token needs one.
 */
function soupOf(t: string, s: number, e: number): number {
  soupMixedScript = false;
  let a = s;
  let b = e;
  while (a < b && SOUP_CHAR[t.charCodeAt(a)] & OPENER) a++;
  while (b > a && SOUP_CHAR[t.charCodeAt(b - 1)] & CLOSER) b--;
  // Letters or digits anywhere in the token, and whether it is a URL.
  let alnum = false;
  let nonAscii = false;
  let url = e - s >= 4 && t.startsWith("www.", s);
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) alnum = true;
    else if (c >= 128) nonAscii = true;
    else if (c === 58 && i + 2 < e && t.charCodeAt(i + 1) === 47 && t.charCodeAt(i + 2) === 47) url = true;
  }
  if (!alnum && nonAscii) alnum = LETTER_OR_NUMBER.test(t.slice(s, e));
  if (a === b || !alnum) {
    // No letters or digits: a bullet, rule or dash is prose; other symbols and runs are not.
    if (e - s === 1) return SOUP_CHAR[t.charCodeAt(s)] & PROSE ? 0 : 0.25;
    const first = t.charCodeAt(s);
    for (let i = s + 1; i < e; i++) if (t.charCodeAt(i) !== first) return 0.5;
    return 0;
  }
  if (url) return 0;
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  let identPunct = 0;
  let dots = 0;
  let glue = 0;
  let camel = false;
  let prevLower = false;
  let segment = 0;
  let longSegment = false;
  for (let i = a; i < b; i++) {
    const c = t.charCodeAt(i);
    const isLower = c >= 97 && c <= 122;
    const isUpper = c >= 65 && c <= 90;
    if (isLower) lower++;
    else if (isUpper) {
      upper++;
      if (prevLower) camel = true;
    } else if (c >= 48 && c <= 57) digit++;
    else if (c >= 128 && isWordChar(c)) other++;
    else if (c === 46 || c === 95 || c === 47 || c === 58) identPunct++;
    // Apostrophes, hyphens and dashes join words; anything else glues letters to symbols.
    else if (!(c === 39 || c === 45 || c === 0x2019 || c === 0x2013 || c === 0x2014 || c === 0x2026)) glue++;
    prevLower = isLower;
    if (c === 46) {
      dots++;
      if (segment > 2) longSegment = true;
      segment = 0;
    } else segment++;
  }
  if (segment > 2) longSegment = true;
  const letters = lower + upper;
  soupMixedScript = letters > 0 && other > 0;
  if (glue > 0) return letters + other > 0 ? 1 : 0.2;
  if (identPunct > 0) {
    if (letters + other === 0) return 0; // 12:30, 1.5, 3/4
    if (!longSegment && identPunct === dots) return 0; // e.g, U.S
    return 0.3;
  }
  if (camel) return 0.3;
  if (digit > 0 && letters + other > 0) return 0.2;
  return 0;
}

interface SoupStats {
  /** Soup of the last SOUP_WINDOW tokens. */
  tail: number;
  /** Line breaks between non-empty lines. */
  lines: number;
  share: number;
  worst: number;
  codeLines: number;
  bracketImbalance: number;
  mixedScript: number;
}

function soupStats(t: string): SoupStats {
  const soup = soupScratch;
  let n = 0;
  let mixed = 0;
  let start = -1;
  for (let i = 0; i <= t.length; i++) {
    const space = i === t.length || isSpace(t.charCodeAt(i));
    if (!space) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      soup[n++] = soupOf(t, start, i);
      if (soupMixedScript) mixed++;
      start = -1;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += soup[i];
  let worst = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += soup[i];
    if (i >= SOUP_WINDOW) sum -= soup[i - SOUP_WINDOW];
    if (sum > worst) worst = sum;
  }
  // Lines that read as code: ending in ; { } ) or :, or indented, or an assignment.
  let lines = 0;
  let code = 0;
  let opens = 0;
  let closes = 0;
  let lineStart = 0;
  for (let i = 0; i <= t.length; i++) {
    const c = i < t.length ? t.charCodeAt(i) : 10;
    if (c === 40 || c === 91 || c === 123) opens++;
    else if (c === 41 || c === 93 || c === 125) closes++;
    if (c !== 10) continue;
    let e = i;
    while (e > lineStart && isSpace(t.charCodeAt(e - 1))) e--;
    if (e > lineStart) {
      lines++;
      const last = t.charCodeAt(e - 1);
      const first = t.charCodeAt(lineStart);
      const line = t.slice(lineStart, e);
      if (
        last === 59 ||
        last === 123 ||
        last === 125 ||
        (last === 41 && line.includes("(")) ||
        first === 9 ||
        line.startsWith("  ") ||
        / = |=>|->|==|\+\+|\/\/|#include|^(def|import|from|return|const|let|var|function|class|public|private) /.test(line)
      ) {
        code++;
      }
    }
    lineStart = i + 1;
  }
  let tail = 0;
  for (let i = Math.max(0, n - SOUP_WINDOW); i < n; i++) tail += soup[i];
  return {
    tail: tail / SOUP_WINDOW,
    lines: Math.max(0, lines - 1),
    share: n > 0 ? total / n : 0,
    worst: worst / SOUP_WINDOW,
    // One or two lines are not a program (an optimised suffix may hold "=>" or "//").
    codeLines: lines >= 3 ? code / lines : 0,
    bracketImbalance: opens + closes >= 2 ? Math.abs(opens - closes) / (opens + closes) : 0,
    mixedScript: n > 0 ? mixed / n : 0,
  };
}

/** The vector of characters [start, end) of the prepared text (dense features: whole text). */
export function vectorOf(start: number, end: number): FeatureVector {
  out.n = 0;
  addGroup(wordBucket, wordPos, nWords, start, end);
  addGroup(charBucket, charPos, nChars, start, end);
  return out;
}

/**
 * `linearScore(model, vectorOf(start, end))` without writing the vector: each window of a long
 * text is scored by one model, and writing and reading back every window's vector cost a tenth of
 * a 100 kB call. The same sums in the same order (each value rounded to float32 as the vector
 * stores it), so the same score to the bit.
 */
export function windowScore(model: LinearModel, start: number, end: number): number {
  let dot = groupDot(wordBucket, wordPos, nWords, start, end, model, 0);
  dot = groupDot(charBucket, charPos, nChars, start, end, model, dot);
  let z = model.bias + model.scale * dot;
  for (let k = 0; k < model.dense.length; k++) z += model.dense[k] * out.dense[k];
  return z;
}

/** `addGroup`'s values, each times its weight in `model`, added to `dot`. */
function groupDot(
  buckets: Int32Array,
  pos: Int32Array,
  total: number,
  start: number,
  end: number,
  model: LinearModel,
  dot: number,
): number {
  const inv = countGroup(buckets, pos, total, start, end);
  const { weights, mask } = model;
  for (let i = 0; i < nTouched; i++) {
    const b = touched[i];
    const c = counts[b];
    dot += weights[b & mask] * Math.fround(sublinear(c) * inv);
    counts[b] = 0;
  }
  nTouched = 0;
  return dot;
}

/** The vector of a whole text (normalised and truncated first). */
export function extractFeatures(raw: string, lm?: Uint8Array | null): FeatureVector {
  const text = textForModel(raw);
  prepareText(text, lm);
  return vectorOf(0, text.length);
}
