/**
 * Masks personal data and secrets before a payload is stored or text goes to the LLM labeller:
 * e-mail addresses, phone numbers, payment card numbers (13–19 digits passing the Luhn check),
 * and API credentials (OpenAI- and Stripe-style `sk-`/`sk_live_` keys, `Bearer` tokens, AWS
 * access key ids, our own `ug_` keys).
 *
 * Everything here runs on the event loop over end-user text, so every scan is linear: the
 * e-mail matcher is a hand-written scan anchored on "@" (no regex can backtrack on it), and
 * every other pattern either has bounded quantifiers or ends in an unbounded run that is never
 * followed by anything that can fail. Strings are cut to MAX_TEXT_CHARS first (the same cap
 * the SDK contract puts on end-user text), and values nested deeper than MAX_DEPTH are
 * replaced, never kept raw. tests/unit/redact.test.ts times 1 MB adversarial inputs.
 */
import { MAX_TEXT_CHARS } from "@/server/contract/sdk";
import { yieldToEventLoop } from "@/server/lib/yield";

/** JSON nesting redactValue walks; anything deeper is replaced by TOO_DEEP. */
export const MAX_DEPTH = 64;
export const TOO_DEEP = "[redacted: nested too deep]";
const TRUNCATED = "…[truncated]";

// One pass for every secret; each keeps a recognisable prefix or becomes "[secret]":
// OpenAI (sk-…, sk-proj-…), Anthropic (sk-ant-…) and Stripe (sk_live_…, rk_test_…) keys, our own
// ug_ keys, AWS access key ids (AKIA long-lived, ASIA temporary) and Bearer tokens. The
// whitespace runs after distinct "Bearer"s are disjoint, so `\s+` stays linear.
const SECRET =
  /\b(?:(?:sk-|[sr]k_(?:live|test)_)[A-Za-z0-9_-]{20,}|ug_[A-Za-z0-9]{24,}|(?:AKIA|ASIA)[0-9A-Z]{16}\b|([Bb]earer|BEARER)\s+[A-Za-z0-9._~+/=-]{8,})/g;
/** The shortest secret SECRET matches ("Bearer " and 8 characters). */
const MIN_SECRET_CHARS = 15;
/** Fewer digits than a phone number (and so than a card) leave nothing for CARD and PHONE. */
const MIN_PHONE_DIGITS = 7;
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
const PHONE = /(?<![\w])\+?\d{1,3}?[\s.-]?\(?\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?![\w])/g;

// Character classes of the e-mail matcher: local part [A-Za-z0-9._%+-], domain [A-Za-z0-9.-].
const LOCAL = new Uint8Array(128);
const DOMAIN = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9.-]/.test(ch)) DOMAIN[c] = LOCAL[c] = 1;
  if (/[_%+]/.test(ch)) LOCAL[c] = 1;
}
const isLocal = (c: number) => c < 128 && LOCAL[c] === 1;
const isDomain = (c: number) => c < 128 && DOMAIN[c] === 1;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Replaces what `/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g` would match, in one pass.
 * From each "@" it scans left over local-part characters and right over domain characters;
 * neither class holds "@", so the scans of different "@"s never overlap and each character is
 * read at most three times. The match ends after the last "." that has a domain character
 * before it and two letters after it, as the regex's backtracking would pick.
 */
export function redactEmails(text: string): string {
  let at = text.indexOf("@");
  if (at < 0) return text;
  let out = "";
  let copied = 0;
  while (at >= 0) {
    let start = at;
    while (start > copied && isLocal(text.charCodeAt(start - 1))) start--;
    let runEnd = at + 1;
    while (runEnd < text.length && isDomain(text.charCodeAt(runEnd))) runEnd++;
    let end = -1;
    if (start < at) {
      for (let k = runEnd - 3; k >= at + 2; k--) {
        if (text.charCodeAt(k) === 46 && isLetter(text.charCodeAt(k + 1)) && isLetter(text.charCodeAt(k + 2))) {
          end = k + 3;
          while (end < runEnd && isLetter(text.charCodeAt(end))) end++;
          break;
        }
      }
    }
    if (end < 0) {
      at = text.indexOf("@", at + 1);
      continue;
    }
    out += `${text.slice(copied, start)}[email]`;
    copied = end;
    at = text.indexOf("@", end);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** "[card]" when the match holds 13–19 digits passing the Luhn check (no allocation). */
function maskCard(m: string): string {
  let sum = 0;
  let n = 0;
  for (let i = m.length - 1; i >= 0; i--) {
    const c = m.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    let d = c - 48;
    if (n++ % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return n >= 13 && n <= 19 && sum % 10 === 0 ? "[card]" : m;
}

/** "[phone]" when the match holds at least 7 digits. */
function maskPhone(m: string): string {
  let n = 0;
  for (let i = 0; i < m.length; i++) {
    const c = m.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n >= 7 ? "[phone]" : m;
}

/** The first MAX_TEXT_CHARS characters, never ending on half a surrogate pair. */
function cap(text: string): string {
  if (text.length <= MAX_TEXT_CHARS) return text;
  let end = MAX_TEXT_CHARS;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + TRUNCATED;
}

/** Whether the text holds at least `n` ASCII digits (stops as soon as it does). */
function hasDigits(text: string, n: number): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && --n === 0) return true;
  }
  return false;
}

const maskSecret = (_: string, bearer?: string) => (bearer ? `${bearer} [secret]` : "[secret]");

export function redactText(raw: string): string {
  let text = cap(raw);
  // Short strings (most of a JSON payload) skip the passes that cannot match them.
  if (text.length >= MIN_SECRET_CHARS) text = text.replace(SECRET, maskSecret);
  text = redactEmails(text);
  if (!hasDigits(text, MIN_PHONE_DIGITS)) return text;
  return text.replace(CARD, maskCard).replace(PHONE, maskPhone);
}

/**
 * Redact every string inside a JSON value, object keys included (a key that redacts to one
 * already present gets a " #2" suffix rather than overwriting it). Anything nested deeper than
 * MAX_DEPTH becomes TOO_DEEP: kept raw it could hold anything.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  // The next suffix to try per redacted key, so many colliding keys stay linear.
  let next: Map<string, number> | undefined;
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    const base = redactText(k);
    let key = base;
    if (Object.hasOwn(out, key)) {
      next ??= new Map();
      let n = next.get(base) ?? 2;
      while (Object.hasOwn(out, `${base} #${n}`)) n++;
      next.set(base, n + 1);
      key = `${base} #${n}`;
    }
    const redacted = redactValue(v, depth + 1);
    // A "__proto__" key must stay a key, not replace the prototype.
    if (key === "__proto__") Object.defineProperty(out, key, { value: redacted, enumerable: true, writable: true, configurable: true });
    else out[key] = redacted;
  }
  return out;
}

type TPayload = { request: unknown; response: unknown; metadata: Record<string, unknown> | null };

/**
 * A stored payload's parts, each redacted: request, response and caller metadata alike; a part
 * per turn of the event loop (a megabyte of request is ~10 ms of redaction).
 */
export async function redactPayloadInTurns<T extends TPayload>(p: T): Promise<T> {
  const request = redactValue(p.request);
  await yieldToEventLoop();
  const response = redactValue(p.response);
  await yieldToEventLoop();
  return { ...p, request, response, metadata: p.metadata && (redactValue(p.metadata) as Record<string, unknown>) };
}
