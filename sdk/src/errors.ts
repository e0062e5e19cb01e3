import type { CheckResult, ErrorCode } from "./contract.gen.js";

/** Codes the SDK sets itself, when there was no usable answer from the server. */
export type SdkErrorCode =
  | "timeout" // no answer within the timeout
  | "network_error" // fetch failed: DNS, refused connection, reset
  | "invalid_response" // an answer that is not the documented JSON
  | "missing_api_key" // no apiKey option and no TOKENIST_API_KEY
  | "invalid_base_url"; // baseUrl / TOKENIST_BASE_URL is not an http(s) URL

/**
 * Every failure of the SDK: a 4xx/5xx answer of the server (`status` set, `code` and `message`
 * from its `{"error":{...}}` body) or a failure to get one (`status` null, an SdkErrorCode).
 */
export class TokenistError extends Error {
  override readonly name = "TokenistError";
  readonly code: ErrorCode | SdkErrorCode | (string & {});
  /** The HTTP status, or null when no answer arrived. */
  readonly status: number | null;
  readonly details: unknown;
  /** Seconds the server asked to wait (Retry-After), if it did. */
  readonly retryAfterSeconds: number | null;
  /** The idempotency key of the record/log call: retry later with it and nothing is counted twice. */
  readonly requestId: string | null;

  constructor(
    code: TokenistError["code"],
    message: string,
    init: { status?: number | null; details?: unknown; retryAfterSeconds?: number | null; requestId?: string | null; cause?: unknown } = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.status = init.status ?? null;
    this.details = init.details;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
    this.requestId = init.requestId ?? null;
  }

  /** Network errors, timeouts, 429 and 5xx may succeed when tried again; other 4xx will not. */
  get retryable(): boolean {
    if (this.status === null) return this.code === "timeout" || this.code === "network_error";
    return this.status === 429 || this.status >= 500;
  }

  /**
   * The server (or the way to it) could not answer: what `check` fails open on. The retryable
   * failures, and a 2xx that is not the documented JSON (a proxy's page). Everything else (a bad
   * key, an invalid body, a wrong URL) is the caller's to fix, so it is thrown in every mode.
   */
  get serverSide(): boolean {
    return this.retryable || this.code === "invalid_response";
  }
}

/** Thrown by the OpenAI wrapper when `check` answered `allowed: false` (any reason); the call was not made. */
export class TokenistBlockedError extends Error {
  override readonly name = "TokenistBlockedError";
  readonly decision: CheckResult;
  readonly reason: CheckResult["reason"];
  readonly retryAfterSeconds: number | null;

  constructor(decision: CheckResult) {
    super(decision.message ?? `Blocked by Tokenist (${decision.reason ?? "not allowed"})`);
    this.decision = decision;
    this.reason = decision.reason;
    this.retryAfterSeconds = decision.retryAfterSeconds;
  }
}

/**
 * Thrown by the OpenAI wrapper when the check allowed the call but a rule asks the end user to
 * sign in again first (`actions` holds `require_reauth`); the call was not made.
 */
export class TokenistReauthRequiredError extends Error {
  override readonly name = "TokenistReauthRequiredError";
  readonly decision: CheckResult;

  constructor(decision: CheckResult) {
    super(decision.message ?? "Tokenist asks this end user to sign in again before the call (require_reauth)");
    this.decision = decision;
  }
}

/** Any thrown value as a TokenistError (fetch failures become network_error). */
export function toTokenistError(err: unknown): TokenistError {
  if (err instanceof TokenistError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TokenistError("network_error", `Could not reach Tokenist: ${message}`, { cause: err });
}
