// Text hidden in an encoding: a request written in base64 or hex, reversed, with every letter
// shifted (ROT13, Caesar) or mirrored (Atbash), or in leetspeak is what a filter that reads words
// cannot see, and hiding it is the attack (the "encoding" probes of garak, FlipAttack's flipped
// tasks, the cipher jailbreaks). `reveal` finds such spans and decodes them, but only when the
// decoded text reads as English and the span as written does not: a word of another language or
// a line of code is left alone. Encoded data that decodes to no text (an image, a hash, a key) is
// left out: as written it looks like the token soup of an optimised suffix. The classifier scores
// what was revealed (features.ts, `revealedForModel`). No network, no model: a few passes over the
// text (p99 figures in the model card).

import { FNV_OFFSET, FNV_PRIME, fnvWord } from "./fnv";

/** How a span was hidden. */
export type THiddenEncoding = "base64" | "hex" | "reversed" | "reversed words" | "shifted letters" | "atbash" | "leetspeak";

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
const REVERSED_BIT = 1;
const ATBASH_BIT = 2;
const shiftBit = (k: number) => 1 << (k + 1);
const DECODES = new Map<number, number>();
for (const w of COMMON) {
  if (w.length < 2) continue;
  DECODES.set(fnvWord(w), (DECODES.get(fnvWord(w)) ?? 0) | COMMON_BIT);
}
for (const w of COMMON) {
  if (w.length < 2) continue;
  const add = (written: string, bit: number) => DECODES.set(fnvWord(written), (DECODES.get(fnvWord(written)) ?? 0) | bit);
  add([...w].reverse().join(""), REVERSED_BIT);
  add(atbash(w), ATBASH_BIT);
  for (let k = 1; k < 26; k++) add(shiftLetters(w, 26 - k), shiftBit(k));
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

/** Printable text (no control bytes but tab and line breaks), as decoded bytes must be. */
function printable(text: string): boolean {
  return !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/.test(text);
}

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
  const bytes = Buffer.from(run.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  const text = bytes.toString("utf8");
  return printable(text) ? text : null;
}

function decodeHex(run: string): string | null {
  const text = Buffer.from(run.slice(0, run.length - (run.length % 2)), "hex").toString("utf8");
  return printable(text) ? text : null;
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
  }
  indexedLength = text.length;
  let wordy = 0;
  let other = 0;
  let words = 0;
  let common = 0;
  let length = 0; // of the word being read
  let hash = FNV_OFFSET;
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
    if (c >= 65 && c <= 90) c += 32;
    const letter = (c >= 97 && c <= 122) || c === 39;
    if (letter) {
      hash = Math.imul(hash ^ c, FNV_PRIME);
      length++;
    } else if (length > 0) {
      if (length >= 2) {
        const bits = DECODES.get(hash) ?? 0;
        if (bits & COMMON_BIT) common++;
        wordBits[words++] = bits;
      }
      length = 0;
      hash = FNV_OFFSET;
    }
    if (letter || (c >= 48 && c <= 57)) wordy++;
    else if (c !== 32 && c !== 9) other++;
  }
  const end = text.length;
  if (length >= 2) {
    const bits = DECODES.get(hash) ?? 0;
    if (bits & COMMON_BIT) common++;
    wordBits[words++] = bits;
  }
  wordyBefore[end] = wordy;
  otherBefore[end] = other;
  wordsBefore[end] = words;
  commonBefore[end] = common;
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
 * shift, Atbash) and the encoded data that decodes to nothing readable.
 */
export function reveal(text: string): TRevealed {
  const hidden: THiddenText[] = [];
  const edits: { start: number; end: number; text: string }[] = [];
  // Byte encodings: long runs of the base64 alphabet (hex digits are a part of it), one pass.
  for (let i = 0; i < text.length; ) {
    if (!isBase64Char(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let hex = true;
    for (; i < text.length && isBase64Char(text.charCodeAt(i)); i++) if (hex && !isHexDigit(text.charCodeAt(i))) hex = false;
    for (let pad = 0; pad < 2 && text.charCodeAt(i) === 61; pad++) i++; // "=" padding
    if (i - start < MIN_RUN) continue;
    const run = text.slice(start, i);
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
  indexText(text);
  const bounds = segmentsOf(text);
  for (let i = 0; i < bounds.length && budget > 0; i += 2) {
    const start = bounds[i]!;
    const end = bounds[i + 1]!;
    if (end - start > MAX_SEGMENT || !mayHideLetters(start, end) || edits.some((e) => e.start < end && start < e.end)) continue;
    budget -= end - start;
    const readings = letterReadings(text, start, end);
    if (readings.length === 0) continue;
    hidden.push(...readings);
    edits.push({ start, end, text: readings[0]!.text });
  }
  if (edits.length === 0) return { text, hidden };
  edits.sort((a, b) => a.start - b.start);
  let out = "";
  let copied = 0;
  for (const e of edits) {
    if (e.start < copied) continue; // inside an earlier edit
    out += text.slice(copied, e.start) + e.text;
    copied = e.end;
  }
  return { text: out + text.slice(copied), hidden };
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
