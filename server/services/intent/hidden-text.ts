// Text hidden in an encoding: a request written in base64 or hex, reversed, with every letter
// shifted (ROT13, Caesar) or mirrored (Atbash), or in leetspeak is what a filter that reads words
// cannot see, and hiding it is the attack (the "encoding" probes of garak, FlipAttack's flipped
// tasks, the cipher jailbreaks). `reveal` finds such spans and decodes them, but only when the
// decoded text reads as English and the span as written does not: a word of another language or
// a line of code is left alone. Encoded data that decodes to no text (an image, a hash, a key) is
// left out: as written it looks like the token soup of an optimised suffix. The classifier scores
// what was revealed (features.ts, `revealedForModel`). Besides these, the other notations of
// decoders.ts (base32, base85, uuencode, Morse, Braille, NATO, character codes, byte lists) are
// found by `revealNotations`, and text hidden by Unicode (tags, variation selectors, Sneaky Bits,
// Zalgo) by `revealUnicode` before normalising; a decoded span is read once more. No network, no
// model: a few passes over the text (p99 figures in the model card).

import {
  decodeBase32,
  decodeBase85,
  decodeBraille,
  decodeCodes,
  decodeMorse,
  decodeSneakyBits,
  decodeUuLine,
  decodeVariationSelectors,
  NATO,
  segmentLetters,
  utf8,
} from "./decoders";
import { FNV_OFFSET, FNV_PRIME, fnvWord, WordBits } from "./fnv";
import { HARM_WORDS } from "./lexicon";

// Local copies of fnv.ts's constants: in CommonJS output (tsx, bundles that do not hoist modules) an
// imported binding is read through a getter, and these are read for every character of a text.
const OFFSET = FNV_OFFSET;
const PRIME = FNV_PRIME;

/** How a span was hidden. */
export type THiddenEncoding =
  | "base64"
  | "hex"
  | "reversed"
  | "reversed words"
  | "shifted letters"
  | "atbash"
  | "leetspeak"
  | "base32"
  | "base85"
  | "uuencode"
  | "character codes"
  | "byte values"
  | "morse"
  | "braille"
  | "nato"
  | "unicode tags"
  | "variation selectors"
  | "sneaky bits"
  | "zalgo";

export interface THiddenText {
  encoding: THiddenEncoding;
  /** The decoded text, lower-case for the letter transforms. */
  text: string;
}

// The most frequent English words (function words, pronouns, auxiliaries) and the verbs of
// requests. A sentence of English prose has a third to a half of its words among them; a
// reversed or shifted sentence almost none, and a word of code or of another language rarely one.
const COMMON = new Set(
  (
    "a about after all also am an and any are as at be because been before being but by can could " +
    "did do does doing done each for from get give go had has have he her here him his how i if in " +
    "into is it its just know let like make me more most much must my no not now of on one only or " +
    "other our out over please say she should show so some step such tell than that the their them " +
    "then there these they this those through to up us use very want was way we were what when where " +
    "which who why will with would write you your explain describe create provide list ignore previous " +
    "instructions guide build find help need new take used using first steps someone something " +
    "above across again against along already always among another around away back become best " +
    "better between both bring call come day down during enough even ever every few follow found " +
    "going good got great hand hard high home however keep kind last least less life little long " +
    "look made making many may might money move name never next number off often old once own part " +
    "people place possible right same see set since small still thing think time today together too " +
    "two under until well while without work world year yes yet"
  ).split(" "),
);

// Which letter transforms make a written word a common one, by the written word's FNV-1a hash
// (the prefix pass hashes words as it reads them, without a string each): bit 0 reversed, bit 1
// Atbash, bit k + 1 a shift by k (1–25; ROT13 is 13), bit 30 common as written. One lookup per
// word tells every transform's count for any segment, before any string is built.
const COMMON_BIT = 1 << 30;
/** A code word of the NATO spelling alphabet (not a transform: `indexText` counts runs of them). */
const NATO_BIT = 1 << 29;
const REVERSED_BIT = 1;
const ATBASH_BIT = 2;
const shiftBit = (k: number) => 1 << (k + 1);
// ~7,500 entries: the common words and their 27 transforms, the NATO words.
const DECODES = new WordBits(8_192);
const addDecode = (written: string, bit: number) => DECODES.add(fnvWord(written), bit);
for (const w of COMMON) if (w.length >= 2) addDecode(w, COMMON_BIT);
for (const w of [...NATO.keys(), "ray"]) addDecode(w, NATO_BIT);
for (const w of COMMON) {
  if (w.length < 2) continue;
  addDecode([...w].reverse().join(""), REVERSED_BIT);
  addDecode(atbash(w), ATBASH_BIT);
  for (let k = 1; k < 26; k++) addDecode(shiftLetters(w, 26 - k), shiftBit(k));
}

/** Lower-case ASCII words of a text (letters and apostrophes). */
function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[a-z']+/g) ?? [];
}

/**
 * How English a text reads: its words of two letters or more, the share of them that are common
 * English words, and how many different common words it holds. (One-letter words do not count:
 * "a" and "i" survive reversal, and `r1c1` or `i++` are full of them.)
 */
function englishness(text: string): { share: number; words: number; distinct: number } {
  let words = 0;
  let common = 0;
  const seen = new Set<string>();
  for (const w of wordsOf(text)) {
    if (w.length < 2) continue;
    words++;
    if (COMMON.has(w)) {
      common++;
      seen.add(w);
    }
  }
  return { share: words ? common / words : 0, words, distinct: seen.size };
}

/**
 * Reads as English: at least four words, a quarter of them common ones, three different ones (a
 * transformed line of code or of another language has none). Bytes that decode to printable
 * words are unlikely by chance already: of them one common word is asked.
 */
const MIN_WORDS = 4;
const MIN_SHARE = 0.25;
const MIN_DISTINCT = 3;
/** Does not read as English as written: at most this share of common words. */
const MAX_PLAIN_SHARE = 0.2;

function readsAsEnglish(text: string, decodedBytes = false): boolean {
  const e = englishness(text);
  if (e.words < MIN_WORDS) return false;
  return decodedBytes ? e.distinct >= 1 && wordyShare(text) >= MIN_WORDY_SHARE_DECODED : e.share >= MIN_SHARE && e.distinct >= MIN_DISTINCT;
}

/** Letters and digits as a share of a text's other non-space characters: prose, not code. */
function wordyShare(text: string): number {
  let wordy = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) wordy++;
    else if (c !== 32 && c !== 9) other++;
  }
  return wordy + other ? wordy / (wordy + other) : 0;
}
/** Lines and quoted strings with fewer letters and digits than this are code or data. */
const MIN_WORDY_SHARE = 0.85;
/** Decoded bytes with fewer are data (JSON, markup, binary that happens to be printable). */
const MIN_WORDY_SHARE_DECODED = 0.8;

/** Runs of the base64 alphabet shorter than this are words, numbers and identifiers. */
const MIN_RUN = 16;
/** Hex runs shorter than this (12 bytes) are ids and colours. */
const MIN_HEX_RUN = 24;

function isBase64Char(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 45 || c === 95;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * A path, a URL's or a slug (`auth0/node-jsonwebtoken/wiki/Migration-Notes`), not base64: a word
 * between the separators. In random base64 a piece between two of `/+-_` is rarely all letters of
 * one case, three or more of them.
 */
function looksLikePath(run: string): boolean {
  const pieces = run.split(/[/+_-]/);
  return pieces.length > 1 && pieces.some((p) => /^[A-Z]?[a-z]{3,}$/.test(p));
}

function decodeBase64(run: string): string | null {
  return utf8(Buffer.from(run.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
}

function decodeHex(run: string): string | null {
  return utf8(Buffer.from(run.slice(0, run.length - (run.length % 2)), "hex"));
}

function shiftLetters(text: string, k: number): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) out += String.fromCharCode(((c - 97 + k) % 26) + 97);
    else out += text[i];
  }
  return out;
}

/** Atbash: a↔z, b↔y, … */
function atbash(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c >= 97 && c <= 122 ? String.fromCharCode(219 - c) : text[i];
  }
  return out;
}

const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s" };

/**
 * The parts of a text that are each one candidate, as [start, end) offsets, the narrowest first:
 * every quoted string (a payload is often quoted inside a plain instruction: `remember that X is
 * "?woh"`), every sentence and part after a colon of a line that has several (`What does this
 * mean? <payload>`, `Encoded: <payload>`), every line.
 */
function segmentsOf(text: string): number[] {
  const quotes: number[] = [];
  const parts: number[] = [];
  const lines: number[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    if (lineEnd - lineStart >= 12) {
      lines.push(lineStart, lineEnd);
      let partStart = lineStart;
      let quote = -1; // offset of an open quote
      for (let i = lineStart; i < lineEnd; i++) {
        const c = text.charCodeAt(i);
        // A sentence or a colon ends where whitespace follows . ? ! or :
        if (
          (c === 46 || c === 63 || c === 33 || c === 58) &&
          i + 1 < lineEnd &&
          (text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 9)
        ) {
          if (i + 1 - partStart >= 12) parts.push(partStart, i + 1);
          partStart = i + 2;
        } else if (
          // The same end reversed: whitespace, then . ? or ! before a word (".drowssap eht em lleT"):
          // a long reversed text is one line of such sentences.
          (c === 46 || c === 63 || c === 33) &&
          i > partStart &&
          (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9) &&
          i + 1 < lineEnd &&
          text.charCodeAt(i + 1) > 32
        ) {
          if (i - 1 - partStart >= 12) parts.push(partStart, i - 1);
          partStart = i;
        }
        if (c === 34 || c === 39 || c === 96 || c === 0x201c || c === 0x201d || c === 0x2018 || c === 0x2019) {
          if (quote >= 0 && i - quote - 1 >= 12) quotes.push(quote + 1, i);
          quote = quote >= 0 ? -1 : i;
        }
      }
      if (partStart > lineStart && lineEnd - partStart >= 12) parts.push(partStart, lineEnd);
    }
    lineStart = lineEnd + 1;
  }
  return quotes.concat(parts, lines);
}

/** At most this many characters of segments are tried against the letter transforms. */
const LETTER_BUDGET = 4000;
/** Segments longer than this are prose or data, not a hidden request. */
const MAX_SEGMENT = 600;

// Per-character prefix sums over the text, filled once per `reveal`, so that whether a segment
// reads as English as written and is prose rather than code costs O(1) per segment, not a pass.
// Reused between calls (one call at a time: JavaScript runs one at a time).
let prefixSize = 0;
let wordyBefore = new Int32Array(0);
let otherBefore = new Int32Array(0);
let wordsBefore = new Int32Array(0);
let commonBefore = new Int32Array(0);
let indexedLength = 0;
/** Per word of 2+ letters, in order: the DECODES bits of the word as written. */
let wordBits = new Int32Array(0);
/** The longest run of NATO code words in a row. */
let natoRun = 0;
/** Whitespace-delimited tokens that may be base85: [start, end, alphabets] triples, `base85Count` numbers. */
let base85Spans = new Int32Array(0);
let base85Count = 0;

/**
 * Fills the prefix sums for `text` (letters and digits, other non-space characters, words of two
 * letters or more, common words; a word counts at the character after it) and each word's bits.
 */
function indexText(text: string): void {
  const n = text.length + 1;
  if (prefixSize < n) {
    prefixSize = Math.max(n, 1024);
    wordyBefore = new Int32Array(prefixSize);
    otherBefore = new Int32Array(prefixSize);
    wordsBefore = new Int32Array(prefixSize);
    commonBefore = new Int32Array(prefixSize);
    wordBits = new Int32Array(prefixSize >> 1);
    base85Spans = new Int32Array(Math.ceil((prefixSize * 3) / (MIN_BASE85 + 1)) + 3);
  }
  indexedLength = text.length;
  natoRun = 0;
  base85Count = 0;
  let nato = 0;
  let tokenStart = 0; // of the whitespace-delimited token being read
  let tokenKinds = ASCII85 | RFC1924;
  let lower = 0; // lower-case letters in a row
  let wordy = 0;
  let other = 0;
  let words = 0;
  let common = 0;
  let length = 0; // of the word being read
  let hash = OFFSET;
  const wordyAt = wordyBefore;
  const otherAt = otherBefore;
  const wordsAt = wordsBefore;
  const commonAt = commonBefore;
  for (let i = 0; i < text.length; i++) {
    wordyAt[i] = wordy;
    otherAt[i] = other;
    wordsAt[i] = words;
    commonAt[i] = common;
    let c = text.charCodeAt(i);
    if (c <= 32) {
      if (tokenKinds !== 0 && i - tokenStart >= MIN_BASE85) base85Token(tokenStart, i, tokenKinds);
      tokenStart = i + 1;
      tokenKinds = ASCII85 | RFC1924;
      lower = 0;
    } else {
      tokenKinds &= c < 128 ? BASE85_KIND[c]! : 0;
      lower = c >= 97 && c <= 122 ? lower + 1 : 0;
      if (lower >= 6) tokenKinds = 0;
    }
    if (c >= 65 && c <= 90) c += 32;
    const letter = (c >= 97 && c <= 122) || c === 39;
    if (letter) {
      hash = Math.imul(hash ^ c, PRIME);
      length++;
    } else if (length > 0) {
      if (length >= 2) {
        const bits = DECODES.get(hash);
        if (bits & COMMON_BIT) common++;
        nato = bits & NATO_BIT ? nato + 1 : 0;
        if (nato > natoRun) natoRun = nato;
        wordBits[words++] = bits;
      }
      length = 0;
      hash = OFFSET;
    }
    if (letter || (c >= 48 && c <= 57)) wordy++;
    else if (c !== 32 && c !== 9) other++;
  }
  const end = text.length;
  if (tokenKinds !== 0 && end - tokenStart >= MIN_BASE85) base85Token(tokenStart, end, tokenKinds);
  if (length >= 2) {
    const bits = DECODES.get(hash);
    if (bits & COMMON_BIT) common++;
    wordBits[words++] = bits;
  }
  wordyBefore[end] = wordy;
  otherBefore[end] = other;
  wordsBefore[end] = words;
  commonBefore[end] = common;
}

function base85Token(start: number, end: number, kinds: number): void {
  base85Spans[base85Count++] = start;
  base85Spans[base85Count++] = end;
  base85Spans[base85Count++] = kinds;
}

/**
 * A candidate for the letter transforms: prose rather than code (letters and digits ≥ 85% of its
 * other characters) with four words or more, of which at most a fifth are common English words.
 * A word ending at the segment's end is counted at `end`, hence the + 1 (no word is two segments').
 */
function mayHideLetters(start: number, end: number): boolean {
  const wordy = wordyBefore[end]! - wordyBefore[start]!;
  const other = otherBefore[end]! - otherBefore[start]!;
  if (wordy + other === 0 || wordy / (wordy + other) < MIN_WORDY_SHARE) return false;
  const stop = Math.min(end + 1, indexedLength);
  const words = wordsBefore[stop]! - wordsBefore[start]!;
  const common = commonBefore[stop]! - commonBefore[start]!;
  return words >= MIN_WORDS && common <= MAX_PLAIN_SHARE * words;
}

/**
 * The readings of the segment [start, end) under the letter transforms that make English of it,
 * if any. The word counts per transform (DECODES) pick the transforms worth a string; the string
 * is then checked as any decoded text is.
 */
function letterReadings(text: string, start: number, end: number): THiddenText[] {
  const first = wordsBefore[start]!;
  const last = wordsBefore[Math.min(end + 1, indexedLength)]!;
  const enough = Math.max(MIN_DISTINCT, MIN_SHARE * (last - first));
  let reversed = 0;
  let mirrored = 0;
  const shifted = new Array<number>(26).fill(0);
  for (let w = first; w < last; w++) {
    const bits = wordBits[w]!;
    if (bits === 0) continue;
    if (bits & REVERSED_BIT) reversed++;
    if (bits & ATBASH_BIT) mirrored++;
    for (let k = 1; k < 26; k++) if (bits & shiftBit(k)) shifted[k]!++;
  }
  const lower = text.slice(start, end).toLowerCase();
  // A reversed sentence and a sentence of reversed words both read as English when either
  // transform is undone (in one of them the word order comes out backwards): keep each reading.
  // The likelier goes first (it replaces the span): the whole reversed when the span starts with
  // a sentence's end mark, or when its reading starts with an imperative or a question word (give,
  // tell, how…) rather than ending with one, more than the word reading does.
  const readings: THiddenText[] = [];
  if (reversed >= enough) {
    const wordsReversed = lower.replace(/[a-z]+/g, (w) => [...w].reverse().join(""));
    if (readsAsEnglish(wordsReversed)) readings.push({ encoding: "reversed words", text: wordsReversed });
    const whole = [...lower].reverse().join("");
    if (readsAsEnglish(whole)) {
      const wholeFirst = /^\s*[.?!]/.test(lower) || requestOrder(whole) > requestOrder(wordsReversed);
      if (wholeFirst) readings.unshift({ encoding: "reversed", text: whole });
      else readings.push({ encoding: "reversed", text: whole });
    }
    if (readings.length > 0) return readings;
  }
  let best = 0;
  for (let k = 1; k < 26; k++) if (shifted[k]! > shifted[best]!) best = k;
  if (best > 0 && shifted[best]! >= enough) {
    const decoded = shiftLetters(lower, best);
    if (readsAsEnglish(decoded)) return [{ encoding: "shifted letters", text: decoded }];
  }
  if (mirrored >= enough) {
    const decoded = atbash(lower);
    if (readsAsEnglish(decoded)) return [{ encoding: "atbash", text: decoded }];
  }
  // Leetspeak puts digits inside words, which the word counts above split: checked on the string.
  if (/[a-z][013457@$]|[013457@$][a-z]/.test(lower)) {
    const unleet = lower.replace(/[a-z0-9@$]+/g, (w) => (/[a-z]/.test(w) ? w.replace(/[013457@$]/g, (c) => LEET[c]!) : w));
    if (readsAsEnglish(unleet)) return [{ encoding: "leetspeak", text: unleet }];
  }
  return readings;
}

type TEdit = { start: number; end: number; text: string };

function overlaps(edits: TEdit[], start: number, end: number): boolean {
  for (const e of edits) if (e.start < end && start < e.end) return true;
  return false;
}

/**
 * Letters spelled without spaces (the NATO alphabet) are cut into these words: the common words,
 * the imperatives of requests, the harm lexicon and the words of the requests a prompt makes of an
 * assistant.
 */
let spelledWords: ReadonlySet<string> | null = null;
const spelled = () =>
  (spelledWords ??= new Set([
    ...COMMON,
    ...IMPERATIVES,
    ...HARM_WORDS,
    ..."ai assistant chatbot model system prompt prompts rule rules policy policies filter filters safety safe guideline guidelines restriction restrictions restricted question questions answer answers honest honestly user users admin administrator developer mode secret secrets password passwords key keys data information access code codes message messages text content response responses reply private confidential hidden original current above below following everything anything nothing without unless instead therefore only always never must should".split(
      " ",
    ),
  ]));

/** The hex numbers after each `marker` of a run ("%49%67" → [0x49, 0x67]). */
const hexAfter = (marker: string) => (run: string) =>
  run
    .split(marker)
    .slice(1)
    .map((h) => Number.parseInt(h, 16));

// Text written as character codes, four or more in a row in one notation: %XX (UTF-8 bytes),
// &#NN; and &#xNN; (code points), \uXXXX (UTF-16 units), \xXX (bytes). A single %20 or &#39; in a
// URL or a page is not a run.
const CODE_RUNS: { marker: string; pattern: RegExp; bytes: boolean; codes: (run: string) => number[] }[] = [
  {
    marker: "%",
    pattern: /(?:%[0-9A-Fa-f]{2}){4,}/g,
    bytes: true,
    codes: hexAfter("%"),
  },
  {
    marker: "&#",
    pattern: /(?:&#(?:[0-9]{1,7}|[xX][0-9A-Fa-f]{1,6});){4,}/g,
    bytes: false,
    codes: (r) =>
      r
        .slice(2, -1)
        .split(";&#")
        .map((e) => (e[0] === "x" || e[0] === "X" ? Number.parseInt(e.slice(1), 16) : Number.parseInt(e, 10))),
  },
  {
    marker: "\\u",
    pattern: /(?:\\u[0-9A-Fa-f]{4}){4,}/g,
    bytes: false,
    codes: hexAfter("\\u"),
  },
  {
    marker: "\\x",
    pattern: /(?:\\x[0-9A-Fa-f]{2}){4,}/g,
    bytes: true,
    codes: hexAfter("\\x"),
  },
];

// Byte values written as numbers, six or more: binary octets, decimal codes, hex bytes (with or
// without 0x), separated by spaces, commas or colons. Lists of numbers are mostly data, so a list
// is only read as text when it decodes to English.
// The first token starts with a digit (bytes of text are 0x20–0x7e: in hex, binary or decimal a
// digit comes first), which lets the engine skip to digits instead of trying every letter.
const NUMBER_LIST =
  /(?<![\w.])(?:0x)?[0-9][0-9A-Fa-f]{1,7}(?:, ?|[ :;])(?:(?:0x)?[0-9A-Fa-f]{2,8}(?:, ?|[ :;])){4,}(?:0x)?[0-9A-Fa-f]{2,8}(?![\w.])/g;

/** How many tokens of a number list are decoded to learn whether, and how, it reads as text. */
const NUMBER_PROBE = 160;
const NUMBER_READINGS: { token: (t: string) => boolean; decode: (tokens: string[]) => string | null }[] = [
  {
    token: (t) => /^[01]{8}$/.test(t),
    decode: (ts) =>
      decodeCodes(
        ts.map((t) => Number.parseInt(t, 2)),
        true,
      ),
  },
  {
    token: (t) => t.length === 2,
    decode: (ts) =>
      decodeCodes(
        ts.map((t) => Number.parseInt(t, 16)),
        true,
      ),
  },
  {
    token: (t) => /^[0-9]{2,7}$/.test(t),
    decode: (ts) => {
      const codes = ts.map((t) => Number.parseInt(t, 10));
      return decodeCodes(
        codes,
        codes.every((c) => c < 256),
      );
    },
  },
];

// Morse: six or more tokens of dots and dashes, "/" or "|" between words.
const MORSE_RUN = /(?<!\S)(?:[.\-·•−–]{1,7}|\/|\|)(?:[ \t]+(?:[.\-·•−–]{1,7}|\/|\|)){5,}(?!\S)/g;
// Braille cells, eight or more with spaces between words.
const BRAILLE_RUN = /[\u2801-\u28ff][\u2800-\u28ff ]{6,}[\u2801-\u28ff]/g;
// The NATO spelling alphabet, six code words or more in a row.
const NATO_WORD =
  "(?:alfa|alpha|bravo|charlie|delta|echo|foxtrot|golf|hotel|india|juliett?|kilo|lima|mike|november|oscar|papa|quebec|romeo|sierra|tango|uniform|victor|whiske?y|x-?ray|yankee|zulu)";
const MIN_NATO = 6;
const NATO_RUN = new RegExp(`\\b${NATO_WORD}(?:[\\s,]+${NATO_WORD}){${MIN_NATO - 1},}\\b`, "gi");

/** Puts a decoding in place of [start, end): always, or only when it reads as English. */
type TPut = (start: number, end: number, decoded: string, encoding: THiddenEncoding, always?: boolean) => void;

/**
 * The notations of decoders.ts: character codes, byte-value lists, Morse, Braille, the NATO
 * alphabet, uuencoded lines, Ascii85 and base85 tokens. Each is looked for only when the text holds
 * its marks (a "%", a ".-", a Braille cell…), so ordinary text costs a few `indexOf`s. A span is
 * replaced by its decoding when it decodes at all (character codes, Morse, Braille, uuencoding and
 * base85, which data seldom decodes as by chance: a reader sees the decoding, a model otherwise
 * sees token soup) or, for lists of numbers and the NATO alphabet, whose look-alikes are data and
 * radio talk, when the decoding reads as English; it is a hidden span when it reads as English.
 */
function revealNotations(text: string, hidden: THiddenText[], edits: TEdit[]): void {
  const put: TPut = (start, end, decoded, encoding, always = false) => {
    const english = readsAsEnglish(decoded, true);
    if (!english && !always) return;
    if (overlaps(edits, start, end)) return;
    if (english) hidden.push({ encoding, text: decoded });
    edits.push({ start, end, text: ` ${decoded} ` });
  };
  for (const run of CODE_RUNS) {
    if (!text.includes(run.marker)) continue;
    for (const m of text.matchAll(run.pattern)) {
      const decoded = decodeCodes(run.codes(m[0]), run.bytes);
      if (decoded !== null) put(m.index, m.index + m[0].length, decoded, "character codes", true);
    }
  }
  for (const m of text.matchAll(NUMBER_LIST)) {
    const tokens = m[0].split(/, ?|[ :;]/).map((t) => (t.startsWith("0x") ? t.slice(2) : t));
    if (tokens.filter((t) => /[0-9]/.test(t)).length * 2 < tokens.length) continue;
    // Which reading makes English of the first tokens decides; only then is the whole list decoded
    // (a long list of data costs one short probe).
    const reading = NUMBER_READINGS.find((r) => {
      const probe = tokens.slice(0, NUMBER_PROBE);
      if (!probe.every(r.token)) return false;
      const decoded = r.decode(probe);
      return decoded !== null && readsAsEnglish(decoded, true);
    });
    const decoded = reading && tokens.every(reading.token) ? reading.decode(tokens) : null;
    if (decoded !== null && readsAsEnglish(decoded, true)) put(m.index, m.index + m[0].length, decoded, "byte values");
  }
  if (/[.·•][-−–]|[-−–][.·•]/.test(text)) {
    for (const m of text.matchAll(MORSE_RUN)) {
      const decoded = decodeMorse(m[0].split(/[ \t]+/));
      if (decoded !== null) put(m.index, m.index + m[0].length, decoded, "morse", true);
    }
  }
  if (/[\u2801-\u28ff]/.test(text)) {
    for (const m of text.matchAll(BRAILLE_RUN)) put(m.index, m.index + m[0].length, decodeBraille(m[0]), "braille", true);
  }
  for (const m of natoRun >= MIN_NATO ? text.matchAll(NATO_RUN) : []) {
    let letters = "";
    for (const w of m[0].toLowerCase().split(/[\s,]+/)) letters += NATO.get(w.replace("-", "")) ?? NATO.get(w) ?? "";
    put(m.index, m.index + m[0].length, segmentLetters(letters, spelled()), "nato");
  }
  revealUuencoded(text, put);
  revealBase85(text, put);
}

/** Consecutive uuencoded lines, decoded together. */
function revealUuencoded(text: string, put: TPut): void {
  let blockStart = -1;
  let blockEnd = -1;
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length >= 12) {
      const decoded = decodeCodes(bytes, true);
      if (decoded !== null) put(blockStart, blockEnd, decoded, "uuencode", true);
    }
    blockStart = -1;
    bytes = [];
  };
  for (let lineStart = 0; lineStart < text.length; ) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const first = text.charCodeAt(lineStart);
    const n = first - 32;
    const need = Math.ceil(n / 3) * 4 + 1;
    const line = n >= 1 && n <= 45 && Math.abs(lineEnd - lineStart - need) <= 3 ? decodeUuLine(text.slice(lineStart, lineEnd)) : null;
    if (line !== null) {
      if (blockStart < 0) blockStart = lineStart;
      blockEnd = lineEnd;
      bytes.push(...line);
    } else if (blockStart >= 0) flush();
    lineStart = lineEnd + 1;
  }
  if (blockStart >= 0) flush();
}

/**
 * Ascii85 and base85 tokens: 16+ characters without whitespace, each a digit of one alphabet, two
 * or more of them not letters or digits, and no six lower-case letters in a row (an identifier's
 * word; rare in base85). `indexText` finds them in its pass (a pass of its own would cost as much
 * again as the check of every other notation).
 */
function revealBase85(text: string, put: TPut): void {
  for (let k = 0; k < base85Count; k += 3) {
    const start = base85Spans[k]!;
    const end = base85Spans[k + 1]!;
    if (otherBefore[end]! - otherBefore[start]! < 2) continue;
    const token = text.slice(start, end);
    const kinds = base85Spans[k + 2]!;
    const decoded = (kinds & ASCII85 ? decodeBase85(token, "ascii85") : null) ?? (kinds & RFC1924 ? decodeBase85(token, "rfc1924") : null);
    if (decoded !== null) put(start, end, decoded, "base85", true);
  }
}

const ASCII85 = 1;
const RFC1924 = 2;
/** Per ASCII character: an Ascii85 digit ("!".."u", "z", and "<~ ~>" of the frame), an RFC 1924 digit. */
const BASE85_KIND = new Uint8Array(128);
for (let c = 33; c < 127; c++) {
  BASE85_KIND[c] = (c <= 117 || c === 122 || c === 126 ? ASCII85 : 0) | (`"',./:[\\]`.includes(String.fromCharCode(c)) ? 0 : RFC1924);
}
/** Tokens at least this long without whitespace may be Ascii85 or base85. */
const MIN_BASE85 = 16;

/**
 * Text hidden by Unicode, before `normalizeText` (features.ts) removes the characters that carry
 * it: Unicode tag characters (ASCII + U+E0000, four or more in a row: a flag's two to six are not
 * a message), variation selectors four or more in a row (one follows an emoji or a CJK ideograph;
 * a run is bytes), "Sneaky Bits" (U+2062/U+2064 as bits), each run replaced by its decoding; and
 * Zalgo, Latin letters under stacks of combining marks (readable to a person, a new character
 * n-gram at every letter to a model): a letter under three marks or more, twice in a text (no
 * language stacks three; Vietnamese, the most, two), and every combining mark after a Latin
 * letter goes, before NFKC could compose one of them into an accented letter. What holds letters
 * is a hidden span: hiding it is the attack.
 */
export function revealUnicode(text: string): TRevealed {
  const marks = NON_ASCII.test(text) ? unicodeMarks(text) : 0;
  const zalgo = (marks & COMBINING) !== 0 && isZalgo(text);
  if (!zalgo && (marks & CARRIER) === 0) return { text, hidden: [] };
  const hidden: THiddenText[] = [];
  if (zalgo) {
    const marked = text.split("\n").filter((line) => MARKED_LINE.test(line));
    hidden.push({ encoding: "zalgo", text: marked.join("\n").replace(MARKS_AFTER_LATIN, "$1") });
    text = text.replace(MARKS_AFTER_LATIN, "$1");
  }
  const edits: TEdit[] = [];
  const put = (start: number, end: number, decoded: string | null, encoding: THiddenEncoding) => {
    if (decoded === null) return;
    if (/[a-z]{2}/i.test(decoded)) hidden.push({ encoding, text: decoded });
    edits.push({ start, end, text: encoding === "unicode tags" ? decoded : ` ${decoded} ` });
  };
  for (const m of text.matchAll(TAG_RUN)) {
    if (text.startsWith(CANCEL_TAG, m.index + m[0].length) && m[0].length <= 14) continue; // a subdivision flag: 🏴 + "gbeng" + cancel
    let decoded = "";
    for (let i = 1; i < m[0].length; i += 2) decoded += String.fromCharCode(m[0].charCodeAt(i) - 0xdc00);
    put(m.index, m.index + m[0].length, decoded, "unicode tags");
  }
  for (const m of text.matchAll(SELECTOR_RUN)) {
    const codePoints = [...m[0]].map((c) => c.codePointAt(0)!);
    put(m.index, m.index + m[0].length, decodeVariationSelectors(codePoints), "variation selectors");
  }
  for (const m of text.matchAll(SNEAKY_RUN)) put(m.index, m.index + m[0].length, decodeSneakyBits(m[0]), "sneaky bits");
  if (edits.length === 0) return { text, hidden };
  return { text: applyEdits(text, edits), hidden };
}

const STACKED = /[A-Za-z][\u0300-\u036f]{3}/g;
const MARKS_AFTER_LATIN = /([A-Za-z])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+/g;
const MARKED_LINE = /[A-Za-z][\u0300-\u036f]/;

function isZalgo(text: string): boolean {
  STACKED.lastIndex = 0;
  const twice = STACKED.test(text) && STACKED.test(text);
  STACKED.lastIndex = 0;
  return twice;
}

const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING = 1;
const CARRIER = 2;

/** Which of Unicode's hiding places a text uses: combining marks (U+0300–036F), carriers of invisible text. One pass. */
function unicodeMarks(text: string): number {
  let marks = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x300) continue;
    if (c <= 0x36f) marks |= COMBINING;
    else if (c === 0x2062 || c === 0x2064 || (c >= 0xfe00 && c <= 0xfe0f) || c === 0xdb40) marks |= CARRIER;
  }
  return marks;
}
const TAG_RUN = /(?:\udb40[\udc20-\udc7e]){4,}/g;
const CANCEL_TAG = "\udb40\udc7f";
const SELECTOR_RUN = /(?:[\ufe00-\ufe0f]|\udb40[\udd00-\uddef]){4,}/g;
const SNEAKY_RUN = /[\u2062\u2064][\u2062\u2064\u200b]{7,}/g;

/** `text` with each edit's span replaced by its text (edits that overlap an earlier one are skipped). */
function applyEdits(text: string, edits: TEdit[]): string {
  edits.sort((a, b) => a.start - b.start);
  let out = "";
  let copied = 0;
  for (const e of edits) {
    if (e.start < copied) continue; // inside an earlier edit
    out += text.slice(copied, e.start) + e.text;
    copied = e.end;
  }
  return out + text.slice(copied);
}

/**
 * Decoded JSON (a token's header and claims, an encoded config) as a reader takes it in: its keys
 * and values, space-separated, without the quotes, colons and braces, which read as an optimised
 * suffix's token soup ("{"alg":"HS256","typ":"JWT"}" → "alg HS256 typ JWT"). A request hidden in a
 * JSON string is still read (and the decoded text is checked for one as it was). Null when the text
 * is not a JSON object or array.
 */
function jsonWords(text: string): string | null {
  const t = text.trim();
  if (t.length < 2 || !((t[0] === "{" && t.endsWith("}")) || (t[0] === "[" && t.endsWith("]")))) return null;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return null;
  }
  const words: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        words.push(k);
        walk(x);
      }
    } else if (v !== null) words.push(String(v));
  };
  walk(value);
  return words.join(" ");
}

/** How many encodings deep a text is read: a decoding inside a decoding, not deeper. */
const MAX_DEPTH = 1;

/** Base64 runs this long with a digit and both cases are data (an image, a key, a token) when they decode to no text. */
const MIN_BLOB = 40;

export interface TRevealed {
  /**
   * The text as a reader who decodes it sees it: every hidden span and every base64 or hex run that
   * decodes to text (a token's JSON) replaced by its decoding (the first reading), and base64 and
   * hex data that decodes to no text (an image, a hash, a key, a token's signature) replaced by a
   * space: it is not language, and as written it looks like the token soup of an optimised
   * suffix. The same string when nothing was found.
   */
  text: string;
  /** The decoded spans, every reading; empty for ordinary text. */
  hidden: THiddenText[];
}

/**
 * Finds, in `text` (normalised and truncated, see features.ts), the spans that decode to English
 * without being English as written (base64, hex, reversed, reversed words, leetspeak, a Caesar
 * shift, Atbash, and the notations of `revealNotations`) and the encoded data that decodes to
 * nothing readable; at `depth` 0 each decoding is read once more.
 */
export function reveal(text: string, depth = 0): TRevealed {
  const hidden: THiddenText[] = [];
  const edits: TEdit[] = [];
  indexText(text);
  revealNotations(text, hidden, edits);
  // Byte encodings: long runs of the base64 alphabet (hex digits are a part of it), one pass.
  for (let i = 0; i < text.length; ) {
    if (!isBase64Char(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let hex = true;
    for (; i < text.length && isBase64Char(text.charCodeAt(i)); i++) if (hex && !isHexDigit(text.charCodeAt(i))) hex = false;
    for (let pad = 0; pad < 6 && text.charCodeAt(i) === 61; pad++) i++; // "=" padding (base32 has up to six)
    if (i - start < MIN_RUN || (edits.length > 0 && overlaps(edits, start, i))) continue;
    const run = text.slice(start, i);
    if (!hex && !/[a-z]/.test(run) && /^[A-Z2-7]+=*$/.test(run)) {
      const decoded = decodeBase32(run);
      if (decoded !== null) {
        if (readsAsEnglish(decoded, true)) hidden.push({ encoding: "base32", text: decoded });
        edits.push({ start, end: i, text: decoded });
      }
      continue;
    }
    if (hex && run.length >= MIN_HEX_RUN) {
      const decoded = decodeHex(run);
      if (decoded !== null && readsAsEnglish(decoded, true)) hidden.push({ encoding: "hex", text: decoded });
      edits.push({ start, end: i, text: decoded ?? " " });
      continue;
    }
    if (hex || !/[a-z]/.test(run) || !/[A-Z0-9]/.test(run) || looksLikePath(run)) continue;
    const decoded = decodeBase64(run);
    if (decoded !== null) {
      if (readsAsEnglish(decoded, true)) hidden.push({ encoding: "base64", text: decoded });
      edits.push({ start, end: i, text: decoded });
    } else if (run.length >= MIN_BLOB && /[0-9]/.test(run) && /[A-Z]/.test(run)) {
      edits.push({ start, end: i, text: " " });
    }
  }
  // Letter transforms, on the lines, sentences and quoted strings that are not English as written.
  let budget = LETTER_BUDGET;
  const bounds = segmentsOf(text);
  for (let i = 0; i < bounds.length && budget > 0; i += 2) {
    const start = bounds[i]!;
    const end = bounds[i + 1]!;
    if (end - start > MAX_SEGMENT || !mayHideLetters(start, end) || overlaps(edits, start, end)) continue;
    budget -= end - start;
    const readings = letterReadings(text, start, end);
    if (readings.length === 0) continue;
    hidden.push(...readings);
    edits.push({ start, end, text: readings[0]!.text });
  }
  if (edits.length === 0) return { text, hidden };
  // Whatever decoded to JSON (base64, hex, base32, character codes…) is read as its words.
  for (const e of edits) e.text = jsonWords(e.text) ?? e.text;
  // A decoding can hold another encoding (base64 of ROT13, binary inside percent-encoding): each
  // decoded span is read once more, after this text's pass (the word index is shared).
  if (depth < MAX_DEPTH) {
    for (const e of edits) {
      if (e.text.length < MIN_RUN) continue;
      const inner = reveal(e.text, depth + 1);
      e.text = inner.text;
      hidden.push(...inner.hidden);
    }
  }
  return { text: applyEdits(text, edits), hidden };
}

// What a request to the assistant holds: a sentence that opens with an imperative of the kind a
// prompt gives, or a how-to. A decoded test fixture ("Hello world, this is a test"), a joke ("Why
// did the chicken cross the road?") or a greeting ("hello gophers, you all right?") holds neither.
const IMPERATIVES = new Set(
  (
    "tell give write explain describe provide create make build list show ignore forget disregard " +
    "reveal print repeat say output pretend act develop design generate teach instruct outline draft " +
    "compose produce suggest find publish post send share disclose leak confirm spell answer respond " +
    "reply follow review complete replace add insert include append remove delete change return run " +
    "execute use remember illustrate demonstrate summarize summarise translate rewrite continue start " +
    "stop imagine assume become enable disable bypass override"
  ).split(" "),
);
/** Words before an imperative that leave it one: "please tell…", "now ignore…". */
const FILLERS = new Set("please now also then and just first next finally so kindly".split(" "));
const HOW_TO = /\bhow (?:to|do i|can i|would i|should i)\b|\bstep[- ]by[- ]step\b|\binstructions\b/;

const OPENERS = new Set([...IMPERATIVES, "how", "what", "why", "where", "who", "when", "which"]);

/** +1 when a text starts with an imperative or a question word, -1 when it ends with one: which way round it reads. */
function requestOrder(text: string): number {
  const words = wordsOf(text);
  if (words.length === 0) return 0;
  return (OPENERS.has(words[0]!) ? 1 : 0) - (OPENERS.has(words[words.length - 1]!) ? 1 : 0);
}

/** Whether decoded text is a request: a how-to, or a sentence that opens with an imperative. */
export function isRequest(text: string): boolean {
  const lower = text.toLowerCase();
  if (HOW_TO.test(lower)) return true;
  for (const sentence of lower.split(/[.?!;:\n]+/)) {
    const words = sentence.match(/[a-z']+/g) ?? [];
    let i = 0;
    while (i < words.length - 1 && FILLERS.has(words[i]!)) i++;
    if (i < words.length && IMPERATIVES.has(words[i]!)) return true;
  }
  return false;
}
