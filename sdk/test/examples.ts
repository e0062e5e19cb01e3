// The README's TypeScript examples, type-checked by the repo's `tsc --noEmit` against the real
// `openai` types (never run). Keep them in step with README.md.
import OpenAI from "openai";
import { tokenist, TokenistBlockedError } from "../src/index.js";

tokenist.init({ apiKey: process.env.TOKENIST_API_KEY, baseUrl: "https://tokenist.example.com" });
const openai = new OpenAI();

export async function answer(userId: string, question: string) {
  const messages = [{ role: "user" as const, content: question }];
  const decision = await tokenist.check({ userId, feature: "support-bot", model: "gpt-4o-mini", input: messages });
  if (!decision.allowed) return { error: decision.message, retryAfterSeconds: decision.retryAfterSeconds };
  const completion = await openai.chat.completions.create({ model: "gpt-4o-mini", messages });
  tokenist.record({ userId, feature: "support-bot", response: completion }).catch(console.error);
  return { text: completion.choices[0]?.message.content };
}

export async function usageShapes(userId: string, completion: OpenAI.Chat.Completions.ChatCompletion) {
  await tokenist.record({ userId, model: "gpt-4o-mini", usage: completion.usage });
  const response = await openai.responses.create({ model: "gpt-4.1", input: "hi" });
  await tokenist.record({ userId, response });
  await tokenist.record({ userId, model: "gpt-4.1", usage: response.usage, requestType: "responses" });
}

export async function streamed(userId: string, messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[]) {
  try {
    const stream = await tokenist
      .withGuardrails(openai, { userId, feature: "support-bot" })
      .chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
    for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? "");
    return new Response(stream.toReadableStream());
  } catch (err) {
    if (err instanceof TokenistBlockedError) return { reason: err.reason, retryAfterSeconds: err.retryAfterSeconds };
    throw err;
  } finally {
    await tokenist.flush();
  }
}
