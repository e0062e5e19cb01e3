// check → call → record around OpenAI's chat.completions, responses and embeddings `create`,
// streamed or not. Structural types only: the package does not depend on `openai`, any client
// with that shape works.
import type { Tokenist } from "./client.js";
import type { CheckResult, RequestType } from "./contract.gen.js";
import { TokenistBlockedError, TokenistReauthRequiredError } from "./errors.js";
import { chatPrompt, embeddingsPrompt, responsesPrompt } from "./prompt.js";
import { newRequestId } from "./runtime.js";
import { observeStream } from "./stream.js";
import type { CheckParams, PromptInput } from "./types.js";

// biome-ignore lint/suspicious/noExplicitAny: mirrors the client's own overloads
type AnyCreate = (body: any, options?: any) => PromiseLike<unknown>;
interface HasCreate {
  create: AnyCreate;
}

/** A client with any of the three: `chat.completions`, `responses`, `embeddings`. */
export interface OpenAILike {
  chat?: { completions: HasCreate };
  responses?: HasCreate;
  embeddings?: HasCreate;
}

/**
 * The wrapped client: each `create` the client has, with the client's own types (it answers a
 * plain Promise). Inferring the object that holds `create` keeps all of its overloads.
 */
export type GuardedOpenAI<C extends OpenAILike> = (C extends { chat: { completions: infer X extends HasCreate } }
  ? { chat: { completions: { create: X["create"] } } }
  : unknown) &
  (C extends { responses: infer X extends HasCreate } ? { responses: { create: X["create"] } } : unknown) &
  (C extends { embeddings: infer X extends HasCreate } ? { embeddings: { create: X["create"] } } : unknown);

/** Who the call is for; sent with the check and the record. */
export type GuardContext = Omit<CheckParams, "model" | "requestType" | "input"> & {
  /** The idempotency key of the record: for ONE call (default: a new one per call). */
  requestId?: string;
  conversationId?: string | null;
  metadata?: object | null;
  /** What `check` classifies. Default: the text of the request (messages, input, instructions). */
  input?: PromptInput;
};

type Body = Record<string, unknown> & { model?: string; stream?: boolean | null; stream_options?: object | null };
type Endpoint = { requestType: RequestType; prompt: (body: Body) => PromptInput | undefined };

const DOWNGRADE = "downgrade_model:";

export function guardOpenAI<C extends OpenAILike>(tokenist: Tokenist, client: C, context: GuardContext): GuardedOpenAI<C> {
  const guarded: OpenAILike = {};
  const wrap = (target: HasCreate, endpoint: Endpoint) => ({ create: guardCreate(tokenist, target, endpoint, context) });
  if (client.chat?.completions) guarded.chat = { completions: wrap(client.chat.completions, { requestType: "chat", prompt: chatPrompt }) };
  if (client.responses) guarded.responses = wrap(client.responses, { requestType: "responses", prompt: responsesPrompt });
  if (client.embeddings) guarded.embeddings = wrap(client.embeddings, { requestType: "embeddings", prompt: embeddingsPrompt });
  return guarded as GuardedOpenAI<C>;
}

function guardCreate(tokenist: Tokenist, target: HasCreate, { requestType, prompt }: Endpoint, context: GuardContext): AnyCreate {
  const { input, requestId: fixedId, conversationId, metadata, estimatedTokens, ...who } = context;

  return async (body: Body, options?: unknown) => {
    const decision = await tokenist.check({ ...who, model: body.model, requestType, input: input ?? prompt(body), estimatedTokens });
    if (!decision.allowed) throw new TokenistBlockedError(decision);
    const actions = Array.isArray(decision.actions) ? decision.actions : [];
    if (actions.includes("require_reauth")) throw new TokenistReauthRequiredError(decision);

    const model = downgradeTo(decision) ?? body.model;
    const streaming = body.stream === true;
    let sent: Body = model === body.model ? body : { ...body, model };
    // Chat streams report usage only when asked; Responses streams always end with it.
    if (streaming && requestType === "chat") sent = { ...sent, stream_options: { ...body.stream_options, include_usage: true } };

    const record = {
      ...who,
      conversationId,
      metadata,
      requestId: fixedId ?? newRequestId(),
      // Settles this very check on the server, which also reads model, feature and tier from it.
      checkId: decision.checkId ?? undefined,
      model,
      requestType,
    };
    const started = Date.now();
    const result = await target.create(sent, options);
    if (!streaming) {
      tokenist.recordInBackground({ ...record, response: result as object, latencyMs: Date.now() - started });
      return result;
    }
    // Recorded however reading stops: with the usage when it came, else (left early, aborted,
    // failed, or a server that ignores stream_options) with the text so far for the server to estimate.
    return observeStream(result, ({ usage, output }) =>
      tokenist.recordInBackground({ ...record, usage, output: output || undefined, latencyMs: Date.now() - started }),
    );
  };
}

/** The model a rule's `downgrade_model:<model>` action asks for, if any (the first one wins). */
export function downgradeTo(decision: CheckResult): string | undefined {
  const action = (Array.isArray(decision.actions) ? decision.actions : []).find((a) => a.startsWith(DOWNGRADE));
  const model = action?.slice(DOWNGRADE.length).trim();
  return model || undefined;
}
