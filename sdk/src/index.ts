/**
 * @tokenist/guardrails – per-user metering, limits, blocklists and intent labels for LLM calls.
 *
 *   import { tokenist } from "@tokenist/guardrails";
 *   tokenist.init({ apiKey: "ug_..." }); // or set TOKENIST_API_KEY
 *   const decision = await tokenist.check({ userId, feature, model, input });
 *   await tokenist.record({ userId, feature, checkId: decision.checkId, response: completion });
 */
import { Tokenist } from "./client.js";

export { Tokenist, createTokenist, degradedDecision } from "./client.js";
export { TokenistBlockedError, TokenistError, TokenistReauthRequiredError, type SdkErrorCode } from "./errors.js";
export { downgradeTo, type GuardContext, type GuardedOpenAI, type OpenAILike } from "./openai.js";
export { observeStream, type StreamSummary } from "./stream.js";
export { readResponse, type ResponseFacts } from "./response.js";
export { DEFAULT_BASE_URL, SDK_VERSION } from "./runtime.js";
export type {
  CheckInput,
  CheckResult,
  ErrorBody,
  ErrorCode,
  LimitState,
  LogInput,
  LogResult,
  RecordInput,
  RecordResult,
  RequestType,
  Tokens,
} from "./contract.gen.js";
export type {
  CheckParams,
  ErrorHandler,
  LogOutcome,
  LogParams,
  NotStoredReason,
  Operation,
  PromptInput,
  RecordOutcome,
  RecordParams,
  TokenistOptions,
  WriteOptions,
} from "./types.js";

/** The default client: configure it once with `tokenist.init(...)` (or TOKENIST_API_KEY / TOKENIST_BASE_URL). */
export const tokenist: Tokenist = new Tokenist();

/** `tokenist.check`, `tokenist.record`, `tokenist.log` and `tokenist.withGuardrails` of the default client (bound to it). */
export const check: Tokenist["check"] = tokenist.check;
export const record: Tokenist["record"] = tokenist.record;
export const log: Tokenist["log"] = tokenist.log;
export const withGuardrails: Tokenist["withGuardrails"] = (client, context) => tokenist.withGuardrails(client, context);

export default tokenist;
