// The README's TypeScript examples, type-checked by the repo's `tsc --noEmit` against the real
// `openai` types (never run). Keep them in step with README.md.
import OpenAI from "openai";
import { tokenist, TokenistBlockedError, TokenistReauthRequiredError, type RecordResult } from "../src/index.js";

const openai = new OpenAI();

/**
 * The product page's snippet, as printed there. Its client is whatever the reader has (its
 * `response_text` is no field of openai's typed Response), so it is untyped here: `usage` and
 * `sentiment` must accept what such an object holds.
 */
// biome-ignore format: the product page's snippet, quotes and all
export async function productPage(openai: any) {
  tokenist.init({ apiKey: process.env.TOKENIST_API_KEY });
  await tokenist.check({ userId: 'user_abc123', feature: 'voice-assistant', model: 'gpt-4o-mini' });
  const completion = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Hello' });
  await tokenist.record({ userId: 'user_abc123', feature: 'voice-assistant', usage: completion.usage, sentiment: completion.response_text });
}

export async function fiveMinutes() {
  tokenist.init({ apiKey: process.env.TOKENIST_API_KEY });

  await tokenist.check({ userId: "user_abc123", feature: "voice-assistant", model: "gpt-4o-mini" });
  const completion = await openai.responses.create({ model: "gpt-4o-mini", input: "..." });
  await tokenist.record({ userId: "user_abc123", feature: "voice-assistant", usage: completion.usage, sentiment: completion.output_text });
}

export async function answer(userId: string, question: string) {
  const messages = [{ role: "user" as const, content: question }];
  const decision = await tokenist.check({ userId, feature: "support-bot", model: "gpt-4o-mini", input: messages });
  if (!decision.allowed) return { error: decision.message, retryAfterSeconds: decision.retryAfterSeconds };
  const completion = await openai.chat.completions.create({ model: "gpt-4o-mini", messages });
  void tokenist.record({ userId, feature: "support-bot", checkId: decision.checkId, response: completion });
  return { text: completion.choices[0]?.message.content };
}

export async function usageShapes(userId: string, completion: OpenAI.Chat.Completions.ChatCompletion) {
  await tokenist.record({ userId, model: "gpt-4o-mini", usage: completion.usage });
  const response = await openai.responses.create({ model: "gpt-4.1", input: "hi" });
  await tokenist.record({ userId, response });
  await tokenist.record({ userId, model: "gpt-4.1", usage: response.usage, requestType: "responses" });
}

export async function outcomes(userId: string) {
  const outcome = await tokenist.record({ userId, checkId: "chk_1" });
  if (!outcome.recorded) return outcome.reason === "quota_exceeded" ? "over the free cap" : outcome.error.requestId;
  const strict: RecordResult = await tokenist.record({ userId }, { throwOnError: true });
  return strict.settledCheckId;
}

export async function wrapped(userId: string, messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[]) {
  const ai = tokenist.withGuardrails(openai, { userId, feature: "support-bot" });
  try {
    const stream = await ai.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? "");

    const response = await ai.responses.create({ model: "gpt-4o", input: "Summarise my last invoice" });
    const vectors = await ai.embeddings.create({ model: "text-embedding-3-small", input: ["first doc", "second doc"] });
    return { text: response.output_text, dimensions: vectors.data[0]?.embedding.length, body: new Response(stream.toReadableStream()) };
  } catch (err) {
    if (err instanceof TokenistBlockedError)
      return { reason: err.reason, retryAfterSeconds: err.retryAfterSeconds, decision: err.decision };
    if (err instanceof TokenistReauthRequiredError) return { reauth: true, decision: err.decision };
    throw err;
  } finally {
    await tokenist.flush();
  }
}
