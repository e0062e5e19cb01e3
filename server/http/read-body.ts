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
  // Postgres stores no NUL character in text or jsonb: refuse it here, not with a 500 later.
  if (text.includes("\u0000") || /\\u0000/i.test(text)) {
    throw new InvalidInputError("Request body must not contain NUL characters (\\u0000)");
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidJsonError(`Request body is not valid JSON: ${(err as Error).message}`);
  }
}
