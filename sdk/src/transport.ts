import type { ErrorBody } from "./contract.gen.js";
import { TokenistError, toTokenistError } from "./errors.js";
import { SDK_VERSION } from "./runtime.js";

export interface Connection {
  baseUrl: string;
  apiKey: string | undefined;
  fetch: typeof fetch;
}

/**
 * One POST to the server. Resolves with the JSON object of a 2xx answer; rejects with a
 * TokenistError for anything else. The timeout covers the whole exchange, body included.
 */
export async function postJson<T>(
  conn: Connection,
  route: string,
  body: unknown,
  options: { timeoutMs: number; headers?: Record<string, string> },
): Promise<T> {
  if (!conn.apiKey) {
    throw new TokenistError("missing_api_key", "No Tokenist API key: pass apiKey to init() or set TOKENIST_API_KEY");
  }
  const url = endpoint(conn.baseUrl, route);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  try {
    const res = await conn.fetch(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${conn.apiKey}`,
        "content-type": "application/json",
        "x-tokenist-sdk": `js/${SDK_VERSION}`,
        ...options.headers,
      },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    const text = await res.text();
    if (!res.ok) throw errorFromAnswer(res, text);
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      // a proxy's page with a 200: keep the status
    }
    if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
      throw new TokenistError("invalid_response", `Tokenist answered ${res.status} with a body that is not a JSON object`, {
        status: res.status,
      });
    }
    return answer as T;
  } catch (err) {
    if (timedOut) {
      throw new TokenistError("timeout", `Tokenist did not answer ${route} within ${options.timeoutMs} ms`, { cause: err });
    }
    throw toTokenistError(err);
  } finally {
    clearTimeout(timer);
  }
}

/** A base URL fetch would refuse is the caller's mistake: said as such, not as a network error. */
function endpoint(baseUrl: string, route: string): string {
  const url = `${baseUrl.replace(/\/+$/, "")}${route}`;
  let protocol = "";
  try {
    protocol = new URL(url).protocol;
  } catch {
    // not a URL at all
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new TokenistError(
      "invalid_base_url",
      `Tokenist base URL ${JSON.stringify(baseUrl)} is not an http(s) URL (baseUrl option or TOKENIST_BASE_URL)`,
    );
  }
  return url;
}

function errorFromAnswer(res: Response, text: string): TokenistError {
  let error: Partial<ErrorBody["error"]> | undefined;
  try {
    error = (JSON.parse(text) as Partial<ErrorBody>).error;
  } catch {
    // a proxy's HTML page, an empty 502: keep the status
  }
  const fallback = res.status >= 500 ? "internal_error" : `http_${res.status}`;
  return new TokenistError(
    typeof error?.code === "string" ? error.code : fallback,
    typeof error?.message === "string" ? error.message : `Tokenist answered HTTP ${res.status}`,
    { status: res.status, details: error?.details, retryAfterSeconds: parseRetryAfter(res.headers.get("retry-after")) },
  );
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}
