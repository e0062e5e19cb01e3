import type { CheckInput, LogInput, RecordInput } from "./contract.gen.js";
import type { TokenistError } from "./errors.js";

// The wire types (contract.gen.ts) take JSON records (`{ [key: string]: unknown }`). Provider SDKs
// type their objects as interfaces, which TypeScript does not let stand in for such records, so
// the methods take `object` there: `usage: completion.usage` and `input: messages` type-check as is.

/** Prompt text, or the chat messages (OpenAI / Anthropic shape). */
export type PromptInput = string | readonly object[];

/** `check(params)`: POST /sdk/check's body. Only `userId` is required. */
export type CheckParams = Omit<CheckInput, "input"> & { input?: PromptInput | null };

type RecordCommon = Omit<RecordInput, "model" | "usage" | "input" | "metadata"> & {
  input?: PromptInput | null;
  metadata?: object | null;
};

/**
 * `record(params)`: POST /sdk/record's body, with `usage` exactly as the provider SDK returned it;
 * or, instead of `model` and `usage`, the whole provider `response` (its usage, model and text are
 * read from it; fields you also pass win).
 */
export type RecordParams =
  | (RecordCommon & { model: string; usage: object | null | undefined; response?: undefined })
  | (RecordCommon & { response: object; model?: string; usage?: object | null });

/** `log(params)`: POST /sdk/log's body. */
export type LogParams = Omit<LogInput, "metadata"> & { metadata?: object | null };

export type Operation = "check" | "record" | "log";

/** Told about every failure that the SDK absorbed instead of throwing (see the README's table). */
export type ErrorHandler = (error: TokenistError, info: { operation: Operation }) => void;

export interface TokenistOptions {
  /** Workspace API key (`ug_...`). Default: TOKENIST_API_KEY. */
  apiKey?: string;
  /** Default: TOKENIST_BASE_URL, else http://localhost:3000. */
  baseUrl?: string;
  /** How long `check` waits for an answer before it fails open (or throws). Default 2000. */
  timeoutMs?: number;
  /** How long one try of `record` / `log` may take. Default 10000. */
  writeTimeoutMs?: number;
  /** `check` answers allowed (degraded) when the server cannot decide. Default true. */
  failOpen?: boolean;
  /** Tries of `record` / `log` after the first, on network errors, 429 and 5xx. Default 3. */
  retries?: number;
  /** Default: a console.warn, at most once a minute per operation and code. `null`: silent. */
  onError?: ErrorHandler | null;
  /** Another fetch (a proxy agent, a test double). Default: globalThis.fetch. */
  fetch?: typeof fetch;
}
