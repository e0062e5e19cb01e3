import type { CheckResult, LogResult, RecordInput, RecordResult } from "./contract.gen.js";
import { TokenistError, toTokenistError } from "./errors.js";
import { guardOpenAI, type GuardContext, type GuardedOpenAI, type OpenAILike } from "./openai.js";
import { readResponse } from "./response.js";
import { DEFAULT_RETRY, withRetries } from "./retry.js";
import { newRequestId, readEnv } from "./runtime.js";
import { postJson, type Connection } from "./transport.js";
import type { CheckParams, ErrorHandler, LogParams, Operation, RecordParams, TokenistOptions } from "./types.js";

const MAX_TEXT = 1_000_000;

/** What `check` answers when it failed open: allowed, nothing known, `degraded: true`. */
export function degradedDecision(): CheckResult {
  return {
    allowed: true,
    labels: [],
    reason: null,
    message: null,
    retryAfterSeconds: null,
    blockedUntil: null,
    limits: [],
    actions: [],
    degraded: true,
  };
}

/** One configured client. `createTokenist()` makes one; the package exports a default `tokenist`. */
export class Tokenist {
  private options: TokenistOptions;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly warnedAt = new Map<string, number>();

  constructor(options: TokenistOptions = {}) {
    this.options = validate({ ...options });
    // Methods work detached too: `const { check } = tokenist`.
    this.check = this.check.bind(this);
    this.record = this.record.bind(this);
    this.log = this.log.bind(this);
  }

  /** Sets options (merged into the current ones). Returns the same client. */
  init(options: TokenistOptions = {}): this {
    this.options = validate({ ...this.options, ...options });
    return this;
  }

  /**
   * POST /sdk/check – may this end user make this call? Fail-open (the default): never rejects;
   * a timeout, network error or any error answer gives `{ allowed: true, degraded: true, ... }`
   * and is reported to `onError`. Fail-closed: rejects with the TokenistError instead.
   */
  async check(params: CheckParams): Promise<CheckResult> {
    try {
      return await postJson<CheckResult>(this.connection(), "/sdk/check", params, { timeoutMs: this.options.timeoutMs ?? 2000 });
    } catch (err) {
      const error = toTokenistError(err);
      if (this.options.failOpen === false) throw error;
      this.report(error, "check");
      return degradedDecision();
    }
  }

  /**
   * POST /sdk/record – count one finished call. Retries network errors, 429 and 5xx with backoff
   * under one idempotency key (your `requestId`, else one made here), so nothing counts twice.
   * Rejects with a TokenistError on 4xx, or when the retries are spent.
   */
  async record(params: RecordParams): Promise<RecordResult> {
    const body = toRecordBody(params);
    return this.sendWithRetries<RecordResult>("/sdk/record", body, body.requestId!);
  }

  /** POST /sdk/log – keep the full payload (answers `logged: false` unless the workspace opted in). Retries as `record`. */
  async log(params: LogParams): Promise<LogResult> {
    const body = { ...params, requestId: params.requestId ?? newRequestId() };
    return this.sendWithRetries<LogResult>("/sdk/log", body, body.requestId);
  }

  /** Wraps an OpenAI client for one end user: check → call → record, streaming included (README). */
  withGuardrails<C extends OpenAILike>(client: C, context: GuardContext): GuardedOpenAI<C> {
    return guardOpenAI(this, client, context);
  }

  /** Waits for the records the OpenAI wrapper sends in the background (serverless handlers, tests). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** @internal Records without the caller waiting; a failure goes to onError. */
  recordInBackground(params: RecordParams): void {
    const task = this.record(params)
      .catch((err) => this.report(toTokenistError(err), "record"))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** @internal */
  report(error: TokenistError, operation: Operation): void {
    const handler = this.options.onError === undefined ? this.warn : this.options.onError;
    try {
      handler?.(error, { operation });
    } catch {
      // an error handler must not break the caller's request either
    }
  }

  private readonly warn: ErrorHandler = (error, { operation }) => {
    const key = `${operation}:${error.code}`;
    const now = Date.now();
    if (now - (this.warnedAt.get(key) ?? -Infinity) < 60_000) return;
    this.warnedAt.set(key, now);
    const status = error.status === null ? "" : ` ${error.status}`;
    console.warn(`[tokenist] ${operation} failed (${error.code}${status}): ${error.message}`);
  };

  private async sendWithRetries<T>(route: string, body: unknown, requestId: string): Promise<T> {
    const policy = { ...DEFAULT_RETRY, retries: this.options.retries ?? DEFAULT_RETRY.retries };
    const timeoutMs = this.options.writeTimeoutMs ?? 10_000;
    const headers = { "idempotency-key": requestId };
    try {
      return await withRetries(() => postJson<T>(this.connection(), route, body, { timeoutMs, headers }), policy);
    } catch (err) {
      const e = toTokenistError(err);
      const init = { status: e.status, details: e.details, retryAfterSeconds: e.retryAfterSeconds, requestId, cause: e.cause };
      throw new TokenistError(e.code, e.message, init);
    }
  }

  private connection(): Connection {
    return {
      baseUrl: this.options.baseUrl ?? readEnv("TOKENIST_BASE_URL") ?? "http://localhost:3000",
      apiKey: this.options.apiKey ?? readEnv("TOKENIST_API_KEY"),
      fetch: this.options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    };
  }
}

/** A client of its own (several workspaces, other settings). */
export function createTokenist(options: TokenistOptions = {}): Tokenist {
  return new Tokenist(options);
}

function validate(options: TokenistOptions): TokenistOptions {
  for (const key of ["timeoutMs", "writeTimeoutMs"] as const) {
    const value = options[key];
    if (value !== undefined && !(value > 0)) throw new TypeError(`tokenist: ${key} must be a positive number`);
  }
  if (options.retries !== undefined && !(Number.isInteger(options.retries) && options.retries >= 0)) {
    throw new TypeError("tokenist: retries must be an integer >= 0");
  }
  return options;
}

/** The documented wire body: fields read from `response` fill what the caller left out. */
function toRecordBody(params: RecordParams): RecordInput {
  const { response, ...fields } = params;
  const facts = response ? readResponse(response) : {};
  const model = fields.model ?? facts.model;
  const usage = fields.usage ?? facts.usage;
  if (!model || !usage) {
    const missing = [!model && "model", !usage && "usage"].filter(Boolean).join(" and ");
    // A response without usage (a server that leaves it out) is not a caller mistake: say so apart.
    const code = response && model ? "missing_usage" : "invalid_request";
    throw new TokenistError(code, `record needs ${missing} (or a response that has them)`);
  }
  const output = fields.output ?? (fields.sentiment == null ? facts.output?.slice(0, MAX_TEXT) : undefined);
  return {
    ...(fields as Omit<RecordInput, "model" | "usage">),
    model,
    usage: usage as RecordInput["usage"],
    provider: fields.provider ?? facts.provider,
    requestType: fields.requestType ?? facts.requestType,
    output,
    requestId: fields.requestId ?? newRequestId(),
  };
}
