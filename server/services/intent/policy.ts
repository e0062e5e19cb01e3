// The built-in `tos_breach` and custom-label matcher. Deliberately simple and explicit: it reads
// forbidden terms out of the workspace's policy text and flags a message that contains every
// content word of one term. It has no notion of meaning, synonyms or negation ("I don't want
// gambling tips" matches "gambling"); the LLM labeller is the one that understands policies.
//
// A policy line contributes terms when it
//   1. is "<key>: a, b or c" with a key naming a ban (forbidden, prohibited, not allowed,
//      disallowed, banned, off-limits, restricted, never, no),
//   2. is a bullet or numbered item under a line that names a ban (until a blank line), or
//   3. is a sentence that starts with a ban ("Do not use the service for gambling or weapons.",
//      "No medical advice.", "Users must not ask about ...").
// Items are split on commas, semicolons, " or ", " and " and "/"; lead verbs and stop words drop.

export interface PolicyTerm {
  phrase: string;
  stems: string[];
}

const BAN =
  /\b(forbidden|prohibited|not allowed|disallowed|banned|off[- ]limits|restricted|must not|may not|cannot|can't|do not|don't|never|no)\b/i;
const KEY_LINE = /^\s*([^:]{1,60}):\s*(.+)$/;
const BULLET = /^\s*(?:[-*•]|\d+[.)])\s+(.*)$/;
const LEAD =
  /^(?:(?:users?|you|customers?|the assistant|we|it)\s+)?(?:must not|may not|cannot|can't|should not|shouldn't|are not allowed to|is not allowed to|do not|don't|never|no)\s+/i;
const VERBS =
  /^(?:(?:use|using|ask|asking|request|requesting|discuss|discussing|generate|generating|create|creating|share|sharing|post|posting|promote|promoting|provide|providing|seek|seeking|get|getting|give|giving|help|helping|talk|talking|mention|mentioning|write|writing|produce|producing|engage|engaging|in|with|for|about|on|of|to|into|the|this|our|any|service|services|assistant|chatbot|bot|product|platform|it|content|information|advice about|related|regarding)\s+)+/i;
const STOP = new Set(
  "a an the and or of for to in on at by with about from into any all some this that these those is are be it its as your our their you we they me my i".split(
    " ",
  ),
);

export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ies")) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && w.endsWith("es") && /(?:ss|sh|ch|x)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) w = w.slice(0, -1);
  return w;
}

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function toTerms(item: string): PolicyTerm[] {
  const cleaned = item
    .replace(/[.!]+\s*$/, "")
    .replace(LEAD, "")
    .replace(VERBS, "");
  return cleaned
    .split(/,|;|\/|\bor\b|\band\b|\betc\b\.?/i)
    .map((p) => p.trim().replace(VERBS, "").trim())
    .filter((p) => p.length > 1)
    .map((phrase) => ({
      phrase,
      stems: wordsOf(phrase)
        .filter((w) => !STOP.has(w))
        .map(stem),
    }))
    .filter((t) => t.stems.length > 0);
}

export function parsePolicy(policy: string): PolicyTerm[] {
  const terms: PolicyTerm[] = [];
  let inBanList = false;
  for (const line of policy.split(/\r?\n/)) {
    if (!line.trim()) {
      inBanList = false;
      continue;
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      if (inBanList || LEAD.test(bullet[1].trim())) terms.push(...toTerms(bullet[1]));
      continue;
    }
    const key = KEY_LINE.exec(line);
    if (key && BAN.test(key[1])) {
      if (key[2].trim()) terms.push(...toTerms(key[2]));
      inBanList = true;
      continue;
    }
    inBanList = BAN.test(line) && /:\s*$/.test(line.trim());
    for (const sentence of line.split(/(?<=[.!?])\s+/)) {
      if (LEAD.test(sentence.trim())) terms.push(...toTerms(sentence.trim()));
    }
  }
  return terms;
}

/** Terms for a custom label: quoted phrases and "keywords: a, b" in its description, else its name. */
export function customLabelTerms(name: string, description: string): PolicyTerm[] {
  const quoted = [...description.matchAll(/["“]([^"”]{2,60})["”]/g)].map((m) => m[1]);
  const listed = /(?:keywords|terms|e\.g\.)\s*:?\s*([^.\n]+)/i.exec(description)?.[1];
  const items = [...quoted, ...(listed ? listed.split(/,|;|\bor\b/) : [])];
  const terms = items.flatMap((i) => toTerms(i));
  return terms.length > 0 ? terms : toTerms(name.replace(/[_-]+/g, " "));
}

/**
 * The stems of a text's words, built once per classification and shared by the usage policy
 * and every custom label. Callers pass the bounded text the model reads (textForModel), never
 * raw end-user input: this allocates a word per word.
 */
export function stemsOf(text: string): ReadonlySet<string> {
  return new Set(wordsOf(text).map(stem));
}

/**
 * 1 when the text holds every stem of some term, else the best fraction below 1. Takes the
 * text's stemsOf (a string is stemmed here: for tests and one-off calls).
 */
export function matchTerms(terms: PolicyTerm[], text: string | ReadonlySet<string>): { score: number; term: string | null } {
  if (terms.length === 0) return { score: 0, term: null };
  const present = typeof text === "string" ? stemsOf(text) : text;
  let best = 0;
  let bestTerm: string | null = null;
  for (const t of terms) {
    let hit = 0;
    for (const s of t.stems) if (present.has(s)) hit++;
    const score = hit / t.stems.length;
    if (score > best) {
      best = score;
      bestTerm = t.phrase;
    }
  }
  return { score: best, term: bestTerm };
}

const cache = new Map<string, PolicyTerm[]>();

function cached(key: string, parse: () => PolicyTerm[]): PolicyTerm[] {
  let terms = cache.get(key);
  if (!terms) {
    terms = parse();
    if (cache.size >= 256) cache.delete(cache.keys().next().value as string);
    cache.set(key, terms);
  }
  return terms;
}

/** parsePolicy with a small cache: the same workspace policy is checked on every request. */
export function policyTerms(policy: string): PolicyTerm[] {
  return cached(`p\0${policy}`, () => parsePolicy(policy));
}

/** customLabelTerms, cached. */
export function cachedCustomLabelTerms(name: string, description: string): PolicyTerm[] {
  return cached(`c\0${name}\0${description}`, () => customLabelTerms(name, description));
}
