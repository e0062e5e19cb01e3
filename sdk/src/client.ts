import type { CheckResult, LogResult, RecordInput, RecordResult } from "./contract.gen.js";
import { TokenistError, toTokenistError } from "./errors.js";
import { guardOpenAI, type GuardContext, type GuardedOpenAI, type OpenAILike } from "./openai.js";
import { readResponse } from "./response.js";
import { DEFAULT_RETRY, withRetries } from "./retry.js";
import { DEFAULT_BASE_URL, newRequestId, readEnv } from "./runtime.js";
import { postJson, type Connection } from "./transport.js";
import { fitCallBody, fitLogBody } from "./trim.js";
import type {
  CheckParams,
  ErrorHandler,
  LogOutcome,
  LogParams,
  Operation,
  RecordOutcome,
  RecordParams,
  TokenistOptions,
  WriteOptions,
} from "./types.js";

/** The server's default body cap (TOKENIST_MAX_BODY_BYTES). */
const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/** What `check` answers when it failed open: allowed, nothing known, `degraded: true`. */
export function degradedDecision(): CheckResult {
  return {
    allowed: true,
    labels: [],
    contentLabels: [],
    reason: null,
    message: null,
    retryAfterSeconds: null,
    blockedUntil: null,
    limits: [],
    actions: [],
    checkId: null,
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
   * POST /sdk/check – may this end user make this call? When the server cannot answer (network,
   * timeout, 5xx, 429) it answers `{ allowed: true, degraded: true, ... }` and tells `onError`, or
   * throws with `failOpen: false`. A caller's mistake (bad key, invalid body) throws in both modes.
   */
  async check(params: CheckParams): Promise<CheckResult> {
    try {
      const body = serialisable("check", () => fitCallBody(params, this.maxBodyBytes));
      const decision = await postJson<CheckResult>(this.connection(), "/sdk/check", body, { timeoutMs: this.options.timeoutMs ?? 2000 });
      if (typeof decision.allowed !== "boolean") {
        throw new TokenistError("invalid_response", "Tokenist answered /sdk/check without a decision", { status: 200 });
      }
      return decision;
    } catch (err) {
      const error = toTokenistError(err);
      if (!error.serverSide || this.options.failOpen === false) throw error;
      this.report(error, "check");
      return degradedDecision();
    }
  }

  /**
   * POST /sdk/record – count one finished call. Retries network errors, timeouts, 429 and 5xx
   * with backoff under one idempotency key (your `requestId`, else one made here), so nothing
   * counts twice. Never rejects unless `throwOnError`: a failure resolves `{ recorded: false, error }`
   * (`reason: "quota_exceeded"` on the Free plan's cap) and goes to `onError`.
   */
  record(params: RecordParams, options: WriteOptions & { throwOnError: true }): Promise<RecordResult>;
  record(params: RecordParams, options?: WriteOptions): Promise<RecordOutcome>;
  async record(params: RecordParams, options: WriteOptions = {}): Promise<RecordOutcome> {
    const requestId = params.requestId ?? newRequestId();
    const prepare = () => fitCallBody(toRecordBody({ ...params, requestId }), this.maxBodyBytes);
    const sent = await this.write<RecordResult>("record", prepare, requestId, options);
    // A server from before `recorded` was in the answer stored it all the same.
    return "error" in sent ? { recorded: false, ...notStored(sent.error), error: sent.error } : { ...sent.answer, recorded: true };
  }

  /** POST /sdk/log – keep the full payload (answers `logged: false` unless the workspace opted in). Fails as `record` does. */
  log(params: LogParams, options: WriteOptions & { throwOnError: true }): Promise<LogResult>;
  log(params: LogParams, options?: WriteOptions): Promise<LogOutcome>;
  async log(params: LogParams, options: WriteOptions = {}): Promise<LogOutcome> {
    const requestId = params.requestId ?? newRequestId();
    const sent = await this.write<LogResult>("log", () => fitLogBody({ ...params, requestId }, this.maxBodyBytes), requestId, options);
    return "error" in sent ? { logged: false, ...notStored(sent.error), error: sent.error } : sent.answer;
  }

  /** Wraps an OpenAI client for one end user: check → call → record, streaming included (README). */
  withGuardrails<C extends OpenAILike>(client: C, context: GuardContext): GuardedOpenAI<C> {
    return guardOpenAI(this, client, context);
  }

  /** Waits for the records the OpenAI wrapper sends in the background (serverless handlers, tests). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** @internal Records without the caller waiting; a failure goes to onError, whatever throwOnError says. */
  recordInBackground(params: RecordParams): void {
    const task = this.record(params, { throwOnError: false })
      .catch((err: unknown) => this.report(toTokenistError(err), "record"))
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

  private get maxBodyBytes(): number {
    return this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** One record or log, retried under one key; its failure rejects only when throwOnError asks. */
  private async write<T>(
    operation: "record" | "log",
    prepare: () => object,
    requestId: string,
    options: WriteOptions,
  ): Promise<{ answer: T } | { error: TokenistError }> {
    const policy = { ...DEFAULT_RETRY, retries: this.options.retries ?? DEFAULT_RETRY.retries };
    const timeoutMs = this.options.writeTimeoutMs ?? 10_000;
    const headers = { "idempotency-key": requestId };
    try {
      const body = serialisable(operation, prepare);
      return { answer: await withRetries(() => postJson<T>(this.connection(), `/sdk/${operation}`, body, { timeoutMs, headers }), policy) };
    } catch (err) {
      const e = toTokenistError(err);
      const init = { status: e.status, details: e.details, retryAfterSeconds: e.retryAfterSeconds, requestId, cause: e.cause };
      const error = new TokenistError(e.code, e.message, init);
      if (options.throwOnError ?? this.options.throwOnError ?? false) throw error;
      this.report(error, operation);
      return { error };
    }
  }

  private connection(): Connection {
    return {
      baseUrl: this.options.baseUrl ?? readEnv("TOKENIST_BASE_URL") ?? DEFAULT_BASE_URL,
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
  for (const key of ["timeoutMs", "writeTimeoutMs", "maxBodyBytes"] as const) {
    const value = options[key];
    if (value !== undefined && !(value > 0)) throw new TypeError(`tokenist: ${key} must be a positive number`);
  }
  if (options.retries !== undefined && !(Number.isInteger(options.retries) && options.retries >= 0)) {
    throw new TypeError("tokenist: retries must be an integer >= 0");
  }
  return options;
}

/** The server's reason, when it said why it did not store the call. */
function notStored(error: TokenistError): { reason?: "quota_exceeded" } {
  return error.code === "quota_exceeded" ? { reason: "quota_exceeded" } : {};
}

/** A body JSON cannot carry (a cycle, a BigInt) is the caller's mistake, not a network error. */
function serialisable<T>(operation: Operation, make: () => T): T {
  try {
    return make();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TokenistError("invalid_request", `The ${operation} body cannot be sent as JSON: ${message}`, { cause: err });
  }
}

/** The documented wire body: fields read from `response` fill what the caller left out. */
function toRecordBody(params: RecordParams & { requestId: string }): RecordInput {
  const { response, usage, model, input, metadata, ...fields } = params;
  const facts = response ? readResponse(response) : {};
  return {
    ...fields,
    model: model ?? facts.model,
    usage: (usage ?? facts.usage) as RecordInput["usage"],
    provider: fields.provider ?? facts.provider,
    requestType: fields.requestType ?? facts.requestType,
    output: fields.output ?? (fields.sentiment == null ? facts.output : undefined),
    input: input as RecordInput["input"],
    metadata: metadata as RecordInput["metadata"],
  };
}
