import { PayloadTooLargeError } from "@/server/services/errors";

/**
 * Doors that anyone may call (the dashboard's tRPC endpoint, the Stripe webhook) read at most
 * this much: a signed-out caller must not make the process buffer megabytes.
 */
export const PUBLIC_MAX_BODY_BYTES = 1_048_576;

/** The raw body, refused (413) past `maxBytes` by its Content-Length or as it streams in, never buffering more. */
export async function readCappedBody(req: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new PayloadTooLargeError(`Request body is larger than ${maxBytes} bytes`);
  if (Number(req.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge();
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  // Most bodies arrive in one chunk: no copy.
  return chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength) : Buffer.concat(chunks);
}

/** The same request with its body read (and capped) up front, for handlers that read it themselves. */
export async function withCappedBody(req: Request, maxBytes: number): Promise<Request> {
  if (req.method === "GET" || req.method === "HEAD") return req;
  const body = await readCappedBody(req, maxBytes);
  return new Request(req.url, { method: req.method, headers: req.headers, body: new Uint8Array(body), signal: req.signal });
}
