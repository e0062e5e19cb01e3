import http from "node:http";
import https from "node:https";
import net from "node:net";
import { assertPublicUrl, guardedLookup } from "./address-guard";

export { assertPublicUrl, BlockedAddressError, isBlockedAddress } from "./address-guard";

/**
 * Limits of every outgoing alert call. `deadlineMs` is the whole call — DNS, connect, TLS,
 * request, the answer's headers and body — so a receiver that trickles bytes cannot hold a
 * worker. Tests shorten it; the outbox lease and handler timeout are sized above it.
 */
export const DELIVERY_LIMITS = {
  deadlineMs: 10_000,
  /** Bytes of the receiver's answer kept; past this the connection is dropped, not read on. */
  maxResponseBytes: 4096,
};

export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no complete answer within the ${ms} ms deadline`);
  }
}

/** An AbortSignal that fires after `ms` with a DeadlineError; `clear` when the work is done. */
export function deadline(ms: number = DELIVERY_LIMITS.deadlineMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineError(ms)), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

export interface SafeResponse {
  status: number;
  body: string;
}

/** POST to an external URL: the SSRF guard, one total deadline, no redirects, a capped answer. */
export async function safePost(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  deadlineMs = DELIVERY_LIMITS.deadlineMs,
): Promise<SafeResponse> {
  const { signal, clear } = deadline(deadlineMs);
  try {
    const url = await assertPublicUrl(rawUrl, signal);
    return await post(url, body, headers, signal);
  } finally {
    clear();
  }
}

function post(url: URL, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<SafeResponse> {
  const client = url.protocol === "https:" ? https : http;
  const max = DELIVERY_LIMITS.maxResponseBytes;
  return new Promise((resolve, reject) => {
    // Whatever ends the call early, an aborted signal means the deadline was the cause.
    const fail = (err: Error) => reject(signal.aborted ? signal.reason : err);
    const req = client.request(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "Tokenist-Webhooks/1",
          ...headers,
        },
        lookup: net.isIP(url.hostname) ? undefined : guardedLookup,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, max).toString("utf8") });
        res.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= max) {
            done();
            res.destroy();
          }
        });
        res.on("end", done);
        res.on("error", fail);
        res.on("close", () => fail(new Error("the receiver closed the connection before the answer was complete")));
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}
