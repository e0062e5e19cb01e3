import type { CheckInput, LogInput, LogResult, RecordInput, RecordResult } from "./contract.gen.js";
import type { TokenistError } from "./errors.js";

// The wire types (contract.gen.ts) take JSON records (`{ [key: string]: unknown }`). Provider SDKs
// type their objects as interfaces, which TypeScript does not let stand in for such records, so
// the methods take `object` there: `usage: completion.usage` and `input: messages` type-check as is.

/** Prompt text, or the chat messages (OpenAI / Anthropic shape). */
export type PromptInput = string | readonly object[];

/** `check(params)`: POST /sdk/check's body. Only `userId` is required. */
export type CheckParams = Omit<CheckInput, "input"> & { input?: PromptInput | null };

/**
 * `record(params)`: POST /sdk/record's body, with `usage` exactly as the provider SDK returned it,
 * and/or the whole provider `response` (its usage, model and text are read from it; fields you
 * also pass win). Nothing is required: with the check's `checkId` the server takes model, feature,
 * tier and org from the check, and without usage it estimates the tokens (`usage_estimated`).
 */
export type RecordParams = Omit<RecordInput, "usage" | "input" | "metadata"> & {
  usage?: object | null;
  response?: object | null;
  input?: PromptInput | null;
  metadata?: object | null;
};

/** `log(params)`: POST /sdk/log's body. */
export type LogParams = Omit<LogInput, "metadata"> & { metadata?: object | null };

/** Why a record or log was not stored, when the server said why (otherwise see `error`). */
export type NotStoredReason = "quota_exceeded";

/** What `record` resolves: the server's answer (`recorded: true`), or why it was not stored. */
export type RecordOutcome = RecordResult | { recorded: false; reason?: NotStoredReason; error: TokenistError };

/** What `log` resolves: the server's answer, or why it was not stored (`error` set). */
export type LogOutcome = LogResult | { logged: false; reason?: NotStoredReason; error: TokenistError };

/** Per-call options of `record` and `log`. */
export interface WriteOptions {
  /** Reject with the TokenistError instead of resolving `{ recorded: false, error }`. Default: the client's. */
  throwOnError?: boolean;
}

export type Operation = "check" | "record" | "log";

/** Told about every failure that the SDK absorbed instead of throwing (see the README's table). */
export type ErrorHandler = (error: TokenistError, info: { operation: Operation }) => void;

export interface TokenistOptions {
  /** Workspace API key (`ug_...`). Default: TOKENIST_API_KEY. */
  apiKey?: string;
  /** Default: TOKENIST_BASE_URL, else https://api.tokenist.dev (the hosted API). */
  baseUrl?: string;
  /** How long `check` waits for an answer before it fails open (or throws). Default 2000. */
  timeoutMs?: number;
  /** How long one try of `record` / `log` may take. Default 10000. */
  writeTimeoutMs?: number;
  /** `check` answers allowed (degraded) when the server cannot answer (network, timeout, 5xx, 429). Default true. */
  failOpen?: boolean;
  /** Tries of `record` / `log` after the first, on network errors, timeouts, 429 and 5xx. Default 3. */
  retries?: number;
  /** `record` / `log` reject instead of resolving `{ recorded: false, error }`. Default false. */
  throwOnError?: boolean;
  /** The server's body cap: longer end-user text is cut so a body never exceeds it. Default 1048576. */
  maxBodyBytes?: number;
  /** Default: a console.warn, at most once a minute per operation and code. `null`: silent. */
  onError?: ErrorHandler | null;
  /** Another fetch (a proxy agent, a test double). Default: globalThis.fetch. */
  fetch?: typeof fetch;
}
