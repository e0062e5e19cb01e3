// Decoders for the notations a request can be hidden in besides base64, hex and the letter
// transforms (hidden-text.ts finds the spans and decides what to do with them): the rest of
// garak's encoding probes (base32, Ascii85, base85, uuencode, Morse, Braille, the NATO alphabet,
// ASCII in variation selectors and in invisible "Sneaky Bits") and the character codes of web
// content (percent-encoding, HTML entities, \u and \x escapes, lists of binary, decimal or hex
// byte values). Each returns the decoded text, or null when the input is not what it claims to be
// or decodes to bytes that are no text. Pure functions, no Node API but `Buffer`.

/** Printable text: no control characters but tab and line breaks, no U+FFFD from bad UTF-8. */
export function printable(text: string): boolean {
  return !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/.test(text);
}

/** Bytes as UTF-8 text, or null when that text is not printable. */
export function utf8(bytes: number[] | Buffer): string | null {
  const text = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes)).toString("utf8");
  return printable(text) ? text : null;
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 (upper case, "=" padding optional). */
export function decodeBase32(run: string): string | null {
  const bytes: number[] = [];
  let value = 0;
  let bits = 0;
  for (let i = 0; i < run.length; i++) {
    if (run.charCodeAt(i) === 61) break; // "="
    const v = BASE32.indexOf(run[i]!);
    if (v < 0) return null;
    value = ((value << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 255);
    }
  }
  return utf8(bytes);
}

const B85 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
const B85_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B85.length; i++) B85_VALUE[B85.charCodeAt(i)] = i;

/**
 * Base85 in groups of five digits for four bytes: Adobe's Ascii85 (digits "!".."u", "z" for four
 * zero bytes, optionally framed in <~ ~>) or RFC 1924's alphabet (Python's b85encode, Git's).
 */
export function decodeBase85(token: string, alphabet: "ascii85" | "rfc1924"): string | null {
  let s = token;
  if (alphabet === "ascii85") {
    if (s.startsWith("<~")) s = s.slice(2);
    if (s.endsWith("~>")) s = s.slice(0, -2);
  }
  const bytes: number[] = [];
  const group: number[] = [];
  const flush = (n: number) => {
    let value = 0;
    for (let k = 0; k < 5; k++) value = value * 85 + (group[k] ?? 84);
    if (value > 0xffffffff) return false;
    for (let k = 0; k < n; k++) bytes.push(Math.floor(value / 256 ** (3 - k)) % 256);
    group.length = 0;
    return true;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (alphabet === "ascii85" && c === 122 && group.length === 0) {
      bytes.push(0, 0, 0, 0);
      continue;
    }
    const v = alphabet === "ascii85" ? (c >= 33 && c <= 117 ? c - 33 : -1) : c < 128 ? B85_VALUE[c]! : -1;
    if (v < 0) return null;
    group.push(v);
    if (group.length === 5 && !flush(4)) return null;
  }
  if (group.length === 1) return null;
  if (group.length > 1 && !flush(group.length - 1)) return null;
  return utf8(bytes);
}

/**
 * One line of uuencoding (`binascii.b2a_uu`, the body of a `begin 644` block): a length character
 * (" " + n, n ≤ 45 bytes), then four characters of " ".."`" per three bytes. Trailing spaces an
 * editor trimmed are zeros. Null when the line is not one.
 */
export function decodeUuLine(line: string): number[] | null {
  const n = line.charCodeAt(0) - 32;
  if (n < 1 || n > 45) return null;
  const need = Math.ceil(n / 3) * 4;
  if (line.length - 1 > need + 1 || line.length - 1 < need - 3) return null;
  const bytes: number[] = [];
  for (let i = 0; i < need; i += 4) {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = i + k + 1 < line.length ? line.charCodeAt(i + k + 1) : 32;
      if (c < 32 || c > 96) return null;
      v = (v << 6) | ((c - 32) & 63);
    }
    bytes.push((v >> 16) & 255, (v >> 8) & 255, v & 255);
  }
  return bytes.slice(0, n);
}

const MORSE: Record<string, string> = {};
"a.- b-... c-.-. d-.. e. f..-. g--. h.... i.. j.--- k-.- l.-.. m-- n-. o--- p.--. q--.- r.-. s... t- u..- v...- w.-- x-..- y-.-- z--.. 1.---- 2..--- 3...-- 4....- 5..... 6-.... 7--... 8---.. 9----. 0----- ..-.-.- ,--..-- ?..--.. '.----. !-.-.-- /-..-. :---... =-...- +.-.-. --....- \".-..-. @.--.-."
  .split(" ")
  .forEach((entry) => {
    MORSE[entry.slice(1)] = entry[0]!;
  });

/** Morse letters ("." and "-", or "·" "•" and "−" "–" "_"); "/" or "|" is a word break. Null if a letter is unknown. */
export function decodeMorse(tokens: string[]): string | null {
  let out = "";
  for (const token of tokens) {
    if (token === "/" || token === "|") {
      out += " ";
      continue;
    }
    const letter = MORSE[token.replace(/[·•]/g, ".").replace(/[−–_]/g, "-")];
    if (letter === undefined) return null;
    out += letter;
  }
  return out.replace(/ +/g, " ").trim();
}

// Grade-1 Braille as garak's braille() writes it: letters, the capital sign ⠠ before a capital,
// the number sign ⠼ before a digit (a–j), and punctuation.
const BRAILLE_LETTERS = "a⠁b⠃c⠉d⠙e⠑f⠋g⠛h⠓i⠊j⠚k⠅l⠇m⠍n⠝o⠕p⠏q⠟r⠗s⠎t⠞u⠥v⠧w⠺x⠭y⠽z⠵.⠲'⠄,⠂-⠤/⠌!⠖?⠦:⠒;⠰(⠶";
const BRAILLE = new Map<number, string>();
for (let i = 0; i < BRAILLE_LETTERS.length; i += 2) BRAILLE.set(BRAILLE_LETTERS.charCodeAt(i + 1), BRAILLE_LETTERS[i]!);
const BRAILLE_DIGITS = "⠚⠁⠃⠉⠙⠑⠋⠛⠓⠊"; // 0–9

/** Unicode Braille cells (U+2800–U+28FF) and spaces to text. Unknown cells are dropped. */
export function decodeBraille(run: string): string {
  let out = "";
  let capital = false;
  let number = false;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c === 0x2820) {
      capital = true;
      continue;
    }
    if (c === 0x283c) {
      number = true;
      continue;
    }
    if (c < 0x2800 || c > 0x28ff) {
      out += run[i];
      number = false;
      continue;
    }
    const digit = number ? BRAILLE_DIGITS.indexOf(run[i]!) : -1;
    if (digit >= 0) {
      out += String(digit);
      continue;
    }
    number = false;
    const letter = BRAILLE.get(c) ?? "";
    out += capital ? letter.toUpperCase() : letter;
    capital = false;
  }
  return out;
}

/** The NATO/ICAO spelling alphabet's code words, with the common spellings. */
export const NATO = new Map<string, string>(
  "alfa alpha bravo charlie delta echo foxtrot golf hotel india juliett juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey whisky xray x-ray yankee zulu"
    .split(" ")
    .map((w) => [w, w === "alpha" ? "a" : w[0]!]),
);

/** What a letter that no word covers costs a cut: more than a longer word gains ("me the", not "meth e"). */
const UNKNOWN_LETTER = 5;

/**
 * Letters written without spaces (the NATO alphabet spells letters only) cut back into words:
 * the cut that covers most of the letters with known words, longer words first (each scores its
 * length squared); letters no word covers stay as they are.
 */
export function segmentLetters(letters: string, words: ReadonlySet<string>, longest = 14): string {
  const n = letters.length;
  const score = new Float64Array(n + 1);
  const step = new Int32Array(n + 1); // length of the piece starting at i; negative: an unknown letter
  for (let i = n - 1; i >= 0; i--) {
    score[i] = score[i + 1]! - UNKNOWN_LETTER;
    step[i] = -1;
    for (let l = 2; l <= Math.min(longest, n - i); l++) {
      if (!words.has(letters.slice(i, i + l))) continue;
      const s = l * l + score[i + l]!;
      if (s > score[i]!) {
        score[i] = s;
        step[i] = l;
      }
    }
    if (letters[i] === "a" || letters[i] === "i") {
      const s = 1 + score[i + 1]!;
      if (s > score[i]!) {
        score[i] = s;
        step[i] = 1;
      }
    }
  }
  const pieces: string[] = [];
  let unknown = "";
  for (let i = 0; i < n; ) {
    if (step[i]! < 0) {
      unknown += letters[i];
      i++;
      continue;
    }
    if (unknown) pieces.push(unknown);
    unknown = "";
    pieces.push(letters.slice(i, i + step[i]!));
    i += step[i]!;
  }
  if (unknown) pieces.push(unknown);
  return pieces.join(" ");
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Character codes to text: code points (entities, \u escapes) or UTF-8 bytes (%XX, \xXX, byte lists). */
export function decodeCodes(codes: number[], bytes: boolean): string | null {
  if (bytes) return codes.every((c) => c <= 255) ? utf8(codes) : null;
  let out = "";
  for (const c of codes) {
    if (c > 0x10ffff) return null;
    out += c >= 0xd800 && c <= 0xdfff ? String.fromCharCode(c) : String.fromCodePoint(c);
  }
  return printable(out) && !LONE_SURROGATE.test(out) ? out : null;
}

/**
 * "Sneaky Bits": ASCII as bits written with the invisible U+2062 (0) and U+2064 (1), words split by
 * a zero-width space. Eight bits a character, or (garak's variant) each character's binary digits
 * without leading zeros: 7 for letters, 6 for digits and most punctuation, cut where the letters
 * make the most sense.
 */
export function decodeSneakyBits(run: string): string | null {
  const words: string[] = [];
  for (const part of run.split("\u200b")) {
    let bits = "";
    for (let i = 0; i < part.length; i++) bits += part.charCodeAt(i) === 0x2064 ? "1" : "0";
    if (bits.length === 0) continue;
    const word = bits.length % 8 === 0 && /^(?:0[01]{7})+$/.test(bits) ? eightBits(bits) : variableBits(bits);
    if (word === null) return null;
    words.push(word);
  }
  const text = words.join(" ");
  return printable(text) ? text : null;
}

function eightBits(bits: string): string {
  let out = "";
  for (let i = 0; i < bits.length; i += 8) out += String.fromCharCode(Number.parseInt(bits.slice(i, i + 8), 2));
  return out;
}

/** The longest character in binary digits without leading zeros: 16 (U+FFFF). */
const MAX_BITS = 16;

/**
 * Characters of 6 (" ".."?"), 7 ("@".."~") or 8–16 binary digits (U+00A0 up), each starting with a
 * 1, cut where the letters make the most sense: letters score 2, other ASCII 1, the rest of
 * Unicode 0.5. O(bits × 16), with no string per candidate.
 */
function variableBits(bits: string): string | null {
  const n = bits.length;
  const score = new Float64Array(n + 1).fill(-1);
  const step = new Int8Array(n + 1);
  const value = new Int32Array(n + 1);
  score[n] = 0;
  for (let i = n - 1; i >= 0; i--) {
    if (bits.charCodeAt(i) !== 49) continue; // "1"
    let v = 0;
    for (let l = 1; l <= MAX_BITS && i + l <= n; l++) {
      v = (v << 1) | (bits.charCodeAt(i + l - 1) - 48);
      if (l < 6 || score[i + l]! < 0) continue;
      if (l === 7 ? v > 126 : l >= 8 && v < 0xa0) continue;
      const letter = (v >= 65 && v <= 90) || (v >= 97 && v <= 122);
      const s = score[i + l]! + (letter ? 2 : l <= 7 ? 1 : 0.5);
      // On a tie, a 7-digit character (a letter's length) wins.
      if (s > score[i]! || (s === score[i]! && l === 7)) {
        score[i] = s;
        step[i] = l;
        value[i] = v;
      }
    }
  }
  if (score[0]! < 0) return null;
  let out = "";
  for (let i = 0; i < n; i += step[i]!) out += String.fromCodePoint(value[i]!);
  return out;
}

/**
 * Bytes smuggled in variation selectors (U+FE00–FE0F, U+E0100–E01EF), which render as nothing:
 * Paul Butler's scheme (bytes 0–15 as U+FE00–FE0F, 16–255 as U+E0100 + byte − 16) or garak's
 * (U+E0100 + the character code). The reading with more letters and spaces wins.
 */
export function decodeVariationSelectors(codePoints: number[]): string | null {
  const butler = utf8(codePoints.map((cp) => (cp < 0xe0100 ? cp - 0xfe00 : cp - 0xe0100 + 16)));
  const garak = codePoints.every((cp) => cp >= 0xe0100) ? utf8(codePoints.map((cp) => cp - 0xe0100)) : null;
  const letters = (t: string | null) => (t === null ? -1 : (t.match(/[A-Za-z ]/g) ?? []).length);
  return letters(garak) > letters(butler) ? garak : butler;
}
