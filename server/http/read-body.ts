import { InvalidInputError, ServiceError } from "@/server/services/errors";
import { LARGE_BODY_CHARS, yieldToEventLoop } from "@/server/lib/yield";
import { readCappedBody } from "./capped-body";

export class InvalidJsonError extends ServiceError {
  override readonly status = 400;
  override readonly code = "invalid_json";
}

/** One decoder for every body (decode without `stream` keeps no state): invalid UTF-8 → U+FFFD, a BOM dropped. */
const UTF8 = new TextDecoder("utf-8", { fatal: false });

/** Read a JSON body of at most `maxBytes`, without buffering more than that. */
export async function readJsonBody(req: Request, maxBytes: number, required = true): Promise<unknown> {
  if (!req.body && required) throw new InvalidInputError("Request body is required (JSON)");
  const raw = await readCappedBody(req, maxBytes);
  const text = UTF8.decode(raw);
  if (!text.trim()) {
    if (!required) return undefined;
    throw new InvalidInputError("Request body is required (JSON)");
  }
  // A megabyte takes ~10 ms to decode and as long to parse: let other requests run in between.
  if (text.length > LARGE_BODY_CHARS) await yieldToEventLoop();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidJsonError(`Request body is not valid JSON: ${(err as Error).message}`);
  }
  if (text.length > LARGE_BODY_CHARS) await yieldToEventLoop();
  // Decoded UTF-8 holds neither NUL nor a lone surrogate: only JSON escapes can put them in.
  return walkBody(parsed, text.includes("\u0000") || NEEDS_CLEANING.test(text));
}

/** `\u0000` or an escaped surrogate (`\ud800`–`\udfff`), the only ways to write what needs cleaning. */
const NEEDS_CLEANING = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * JSON nested deeper than this is refused (400): no provider request or usage object comes
 * close, end-user text is strings whatever it says, and deeper values would overflow the
 * recursive JSON writers between here and Postgres.
 */
export const MAX_BODY_DEPTH = 256;

/**
 * One iterative pass over the parsed body (a 200,000-deep array must not overflow the stack):
 * refuses nesting past MAX_BODY_DEPTH and, when `clean`, cleans every string and key in place.
 * Postgres stores no NUL character in text or jsonb, and a lone surrogate becomes U+FFFD there:
 * cleaning once, here, means what an end user typed is stored and matched as the same text and
 * never makes a door refuse the call.
 */
export function walkBody(value: unknown, clean: boolean): unknown {
  if (typeof value === "string") return clean ? cleanText(value) : value;
  if (value === null || typeof value !== "object") return value;
  const stack: Array<[object, number]> = [[value, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [node, depth] = top;
    if (depth > MAX_BODY_DEPTH) throw new InvalidInputError(`Request body is nested deeper than ${MAX_BODY_DEPTH} levels`);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v = node[i];
        if (typeof v === "string") {
          if (clean) node[i] = cleanText(v);
        } else if (v !== null && typeof v === "object") stack.push([v, depth + 1]);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      const v = record[k];
      let key = k;
      if (clean && (key = cleanText(k)) !== k) {
        delete record[k];
        record[key] = v;
      }
      if (typeof v === "string") {
        if (clean) record[key] = cleanText(v);
      } else if (v !== null && typeof v === "object") stack.push([v, depth + 1]);
    }
  }
  return value;
}

// NUL is exactly what this removes.
const NUL = /\u0000/g;

function cleanText(s: string): string {
  const wellFormed = s.isWellFormed() ? s : s.toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replace(NUL, "") : wellFormed;
}
