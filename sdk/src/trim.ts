// Keeps every body within the server's cap, which refuses a larger one with 413: the call would
// then go unrecorded for the sake of text the server only classifies. What is cut is end-user
// text, never the ids, usage or metadata a call is counted by. Bodies under the cap (nearly all)
// are sent as they are; only a larger one is copied, so the caller's objects are never changed.

type Obj = Record<string, unknown>;
type Holder = Obj | unknown[];
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;

const encoder = new TextEncoder();
/** The bytes a value takes on the wire: the UTF-8 of its JSON. */
export const jsonBytes = (value: unknown): number => encoder.encode(JSON.stringify(value) ?? "").length;

/** The smallest a cut string or message list gets: `""` or `[]`. */
const EMPTY = 2;
/** Keys whose short values say what a part is; cutting them would only make the rest unreadable. */
const STRUCTURE_KEYS = new Set(["role", "type"]);

/**
 * A check or record body within `maxBytes`: `input`, `output` and `sentiment` give up text,
 * the longest first; within chat messages the oldest go first and the latest is cut last.
 */
export function fitCallBody<T extends object>(body: T, maxBytes: number): T {
  const size = jsonBytes(body);
  if (size <= maxBytes) return body;
  const copy = clone(body) as Obj;
  const fields = ["input", "output", "sentiment"].filter((k) => typeof copy[k] === "string" || Array.isArray(copy[k]));
  const sizes = fields.map((k) => jsonBytes(copy[k]));
  const keep =
    level(
      sizes.map((s) => s - EMPTY),
      size - maxBytes,
    ) + EMPTY;
  fields.forEach((key, i) => {
    if (sizes[i]! <= keep) return;
    const value = copy[key];
    copy[key] = typeof value === "string" ? cutString(value, keep) : cutMessages(value as unknown[], keep);
  });
  return copy as T;
}

/** A log body within `maxBytes`: the longest strings inside `request` and `response` are cut. */
export function fitLogBody<T extends object>(body: T, maxBytes: number): T {
  const size = jsonBytes(body);
  if (size <= maxBytes) return body;
  const copy = clone(body) as Obj;
  cutLongest([copy.request, copy.response], size - maxBytes);
  return copy as T;
}

/** Messages within `maxBytes`: the oldest dropped first; the one that straddles the cut is shortened. */
function cutMessages(messages: unknown[], maxBytes: number): unknown[] {
  let first = 0;
  let size = jsonBytes(messages);
  while (first < messages.length && size > maxBytes) {
    const excess = size - maxBytes;
    const bytes = jsonBytes(messages[first]);
    const latest = first === messages.length - 1;
    // Dropping a whole message (and its comma) when that does not cut more than needed.
    if (!latest && bytes + 1 <= excess) {
      size -= bytes + 1;
      first++;
      continue;
    }
    cutLongest([messages[first]], excess);
    const saved = bytes - jsonBytes(messages[first]);
    if (saved >= excess) return messages.slice(first);
    // Too little text in it to cut (an image reference, a tool call): drop it after all.
    if (latest) return [];
    size -= bytes + 1;
    first++;
  }
  return messages.slice(first);
}

/** Cuts the string leaves under `roots` (in place) until they are `excess` bytes shorter, longest first. */
function cutLongest(roots: unknown[], excess: number): void {
  const leaves: Array<{ holder: Holder; key: string | number; bytes: number }> = [];
  const walk = (holder: Holder, key: string | number, value: unknown) => {
    if (typeof value === "string") {
      if (!STRUCTURE_KEYS.has(String(key))) leaves.push({ holder, key, bytes: jsonBytes(value) });
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(value, i, v));
    else if (isObj(value)) for (const [k, v] of Object.entries(value)) walk(value, k, v);
  };
  for (const root of roots) if (isObj(root)) walk({ root }, "root", root);
  const keep =
    level(
      leaves.map((l) => l.bytes - EMPTY),
      excess,
    ) + EMPTY;
  for (const { holder, key, bytes } of leaves) {
    if (bytes > keep) (holder as Obj)[key] = cutString((holder as Obj)[key] as string, keep);
  }
}

/**
 * The "water level": the largest L such that cutting everything above L saves `excess`
 * (the longest lose most; the short ones stay whole). 0 when even that cannot save enough.
 */
function level(sizes: number[], excess: number): number {
  const saving = (l: number) => sizes.reduce((sum, s) => sum + Math.max(0, s - l), 0);
  let lo = 0;
  let hi = sizes.reduce((max, s) => Math.max(max, s), 0);
  if (saving(0) < excess) return 0;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (saving(mid) >= excess) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The longest start of `text` whose JSON takes at most `maxBytes` (a surrogate pair is never split). */
export function cutString(text: string, maxBytes: number): string {
  // Each character takes at least one byte, so no more than maxBytes of them can fit.
  let lo = 0;
  let hi = Math.min(text.length, Math.max(0, maxBytes));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (jsonBytes(text.slice(0, mid)) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  const last = text.charCodeAt(lo - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? lo - 1 : lo);
}

/** A deep copy as the body will be sent (toJSON applied, undefined left out). */
function clone(value: object): unknown {
  return JSON.parse(JSON.stringify(value));
}
