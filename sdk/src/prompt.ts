// The text `check` classifies, read from each OpenAI request body: only text, so image, audio
// and file parts never travel to Tokenist.
import type { PromptInput } from "./types.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;

/** The text of a message's content: a string, or the `text` of its parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((p): p is Obj => isObj(p) && typeof p.text === "string")
    .map((p) => p.text as string)
    .join("\n");
}

/** Chat Completions `messages`, as role + text. */
export function chatPrompt(body: Obj): PromptInput | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages)) return undefined;
  return messages.filter(isObj).map((m) => ({ role: typeof m.role === "string" ? m.role : "user", content: contentText(m.content) }));
}

/**
 * Responses `instructions` + `input` (a string, or items): the messages, and each
 * `function_call_output` as a `tool` message (the server reads tool results apart, for
 * injections: `contentLabels`).
 */
export function responsesPrompt(body: Obj): PromptInput | undefined {
  const { input, instructions } = body;
  const system = typeof instructions === "string" && instructions ? [{ role: "developer", content: instructions }] : [];
  if (typeof input === "string") return system.length ? [...system, { role: "user", content: input }] : input;
  if (!Array.isArray(input)) return system.length ? system : undefined;
  const messages = input.filter(isObj).flatMap((item) => {
    if (typeof item.role === "string") return [{ role: item.role, content: contentText(item.content) }];
    if (item.type === "function_call_output") {
      return [{ role: "tool", content: typeof item.output === "string" ? item.output : contentText(item.output) }];
    }
    return [];
  });
  return [...system, ...messages];
}

/** Embeddings `input`: its strings (token arrays have no text to classify). */
export function embeddingsPrompt(body: Obj): PromptInput | undefined {
  const { input } = body;
  if (typeof input === "string") return input;
  if (!Array.isArray(input)) return undefined;
  const texts = input.filter((s): s is string => typeof s === "string");
  return texts.length ? texts.join("\n") : undefined;
}
