import { InvalidInputError, PayloadTooLargeError, ServiceError } from "@/server/services/errors";

export class InvalidJsonError extends ServiceError {
  override readonly status = 400;
  override readonly code = "invalid_json";
}

/** Read a JSON body of at most `maxBytes`, without buffering more than that. */
export async function readJsonBody(req: Request, maxBytes: number, required = true): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) throw new PayloadTooLargeError(`Request body is larger than ${maxBytes} bytes`);
  if (!req.body) {
    if (!required) return undefined;
    throw new InvalidInputError("Request body is required (JSON)");
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new PayloadTooLargeError(`Request body is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
  if (!text.trim()) {
    if (!required) return undefined;
    throw new InvalidInputError("Request body is required (JSON)");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidJsonError(`Request body is not valid JSON: ${(err as Error).message}`);
  }
  // Decoded UTF-8 holds neither NUL nor a lone surrogate: only JSON escapes can put them in.
  return text.includes("\u0000") || NEEDS_CLEANING.test(text) ? cleanStrings(parsed) : parsed;
}

/** `\u0000` or an escaped surrogate (`\ud800`–`\udfff`), the only ways to write what needs cleaning. */
const NEEDS_CLEANING = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * Postgres stores no NUL character in text or jsonb, and a lone surrogate becomes U+FFFD there:
 * clean every string of the body once, here, so what an end user typed is stored and matched as
 * the same text and never makes a door refuse the call. Linear in the body, keys too, and
 * iterative (a 5,000-deep array must not overflow the stack).
 */
export function cleanStrings(value: unknown): unknown {
  if (typeof value === "string") return cleanText(value);
  if (value === null || typeof value !== "object") return value;
  const stack: object[] = [value];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v = node[i];
        if (typeof v === "string") node[i] = cleanText(v);
        else if (v !== null && typeof v === "object") stack.push(v);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      const v = record[k];
      const key = cleanText(k);
      if (key !== k) {
        delete record[k];
        record[key] = v;
      }
      if (typeof v === "string") record[key] = cleanText(v);
      else if (v !== null && typeof v === "object") stack.push(v);
    }
  }
  return value;
}

// eslint-disable-next-line no-control-regex -- NUL is exactly what this removes
const NUL = /\u0000/g;

function cleanText(s: string): string {
  const wellFormed = s.isWellFormed() ? s : s.toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replace(NUL, "") : wellFormed;
}
