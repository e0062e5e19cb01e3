// check → call → record around one OpenAI Chat Completions call, streamed or not. Structural
// types only: the package does not depend on `openai`, any client with that shape works.
import type { Tokenist } from "./client.js";
import { TokenistBlockedError, TokenistError } from "./errors.js";
import { newRequestId } from "./runtime.js";
import type { CheckParams, PromptInput } from "./types.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mirrors the client's own overloads
type AnyCreate = (body: any, options?: any) => PromiseLike<unknown>;
export interface OpenAILike {
  chat: { completions: { create: AnyCreate } };
}
/** The wrapped client: `chat.completions.create` with the client's own types (it answers a plain Promise). */
export interface GuardedOpenAI<C extends OpenAILike> {
  chat: { completions: { create: C["chat"]["completions"]["create"] } };
}

/** Who the call is for; sent with the check and the record. */
export type GuardContext = Omit<CheckParams, "model" | "requestType" | "input"> & {
  /** The idempotency key of the record: for ONE call (default: a new one per call). */
  requestId?: string;
  conversationId?: string | null;
  metadata?: object | null;
  /** What `check` classifies. Default: the text of `messages`. */
  input?: PromptInput;
};

interface ChatBody {
  model: string;
  messages?: unknown;
  stream?: boolean | null;
  stream_options?: object | null;
}

interface StreamSummary {
  usage?: object;
  output: string;
}

const MAX_TEXT = 1_000_000;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;

export function guardOpenAI<C extends OpenAILike>(tokenist: Tokenist, client: C, context: GuardContext): GuardedOpenAI<C> {
  const completions = client.chat.completions;
  const { input, requestId: fixedId, conversationId, metadata, estimatedTokens, ...who } = context;

  const create = async (body: ChatBody, options?: unknown) => {
    const decision = await tokenist.check({
      ...who,
      model: body.model,
      requestType: "chat",
      input: input ?? promptText(body.messages),
      estimatedTokens,
    });
    if (!decision.allowed) throw new TokenistBlockedError(decision);

    const requestId = fixedId ?? newRequestId();
    const record = { ...who, conversationId, metadata, requestId, model: body.model, requestType: "chat" as const };
    const streaming = body.stream === true;
    const sent = streaming ? { ...body, stream_options: { ...body.stream_options, include_usage: true } } : body;
    const started = Date.now();
    const result = await completions.create(sent, options);
    if (!streaming) {
      tokenist.recordInBackground({ ...record, response: result as object, latencyMs: Date.now() - started });
      return result;
    }
    return observeStream(result, ({ usage, output }) => {
      if (usage) {
        tokenist.recordInBackground({ ...record, usage, output: output || undefined, latencyMs: Date.now() - started });
      } else {
        const message = "The stream ended without a usage chunk (left early, or the server ignores stream_options): nothing was recorded";
        tokenist.report(new TokenistError("missing_usage", message, { requestId }), "record");
      }
    });
  };
  return { chat: { completions: { create } } } as unknown as GuardedOpenAI<C>;
}

/**
 * Hands every chunk on unchanged and calls `done` once, when iteration stops (end, break or
 * error). The stream object itself is returned, so `controller`, `toReadableStream()` and
 * `tee()` of openai's Stream keep working and are observed too.
 */
export function observeStream<S>(stream: S, done: (summary: StreamSummary) => void): S {
  const iterable = stream as { [Symbol.asyncIterator]?: unknown } | null;
  if (!isObj(iterable) || typeof iterable[Symbol.asyncIterator] !== "function") return stream;
  const summary: StreamSummary = { output: "" };
  let finished = false;
  const watch = (source: () => AsyncIterator<unknown>) =>
    async function* () {
      try {
        for await (const chunk of { [Symbol.asyncIterator]: source }) {
          readChunk(summary, chunk);
          yield chunk;
        }
      } finally {
        if (!finished) {
          finished = true;
          done(summary);
        }
      }
    };
  const s = stream as { iterator?: () => AsyncIterator<unknown>; [Symbol.asyncIterator]: () => AsyncIterator<unknown> };
  if (typeof s.iterator === "function") {
    // openai's Stream: every way of reading it (for await, tee, toReadableStream) calls iterator().
    const original = s.iterator;
    s.iterator = watch(() => original.call(s));
  } else {
    const original = s[Symbol.asyncIterator].bind(s);
    Object.defineProperty(s, Symbol.asyncIterator, { value: watch(original), configurable: true, writable: true });
  }
  return stream;
}

function readChunk(summary: StreamSummary, chunk: unknown) {
  if (!isObj(chunk)) return;
  if (isObj(chunk.usage)) summary.usage = chunk.usage;
  if (!Array.isArray(chunk.choices)) return;
  for (const choice of chunk.choices) {
    if (!isObj(choice) || (choice.index ?? 0) !== 0 || !isObj(choice.delta)) continue;
    const text = choice.delta.content;
    if (typeof text === "string" && summary.output.length < MAX_TEXT) summary.output += text;
  }
  if (summary.output.length > MAX_TEXT) summary.output = summary.output.slice(0, MAX_TEXT);
}

/** The text of chat messages, for the classifier: image and audio parts are left out. */
function promptText(messages: unknown): PromptInput | undefined {
  if (!Array.isArray(messages)) return undefined;
  return messages.filter(isObj).map((m) => {
    const content = m.content;
    const text = Array.isArray(content)
      ? content.filter((p) => isObj(p) && typeof p.text === "string").map((p) => (p as Obj).text).join("\n")
      : typeof content === "string" ? content : "";
    return { role: typeof m.role === "string" ? m.role : "user", content: text };
  });
}
