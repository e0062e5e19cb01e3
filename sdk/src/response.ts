// Reads what `record` needs out of a whole provider response, as the provider SDKs return it:
// OpenAI Chat Completions and Responses, Anthropic Messages, Google Gemini (both SDKs).
import type { RequestType } from "./contract.gen.js";

export interface ResponseFacts {
  usage?: object;
  model?: string;
  output?: string;
  /** Set only where it decides how `usage` reads (Anthropic's input/output tokens). */
  provider?: string;
  requestType?: RequestType;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Joins the `text` of the parts that have one (Anthropic content blocks, Gemini parts). */
function joinText(parts: unknown[], onlyType?: string): string | undefined {
  const texts = parts
    .filter((p): p is Obj => isObj(p) && typeof p.text === "string" && (!onlyType || p.type === onlyType))
    .map((p) => p.text as string);
  return texts.length ? texts.join("") : undefined;
}

export function readResponse(response: object): ResponseFacts {
  let r = response as Obj;
  // @google/generative-ai wraps the answer: `const result = await model.generateContent(...)`; result.response
  if (!r.usageMetadata && isObj(r.response) && isObj(r.response.usageMetadata)) r = r.response;

  if (isObj(r.usageMetadata)) {
    const candidate = list(r.candidates)[0];
    const parts = isObj(candidate) && isObj(candidate.content) ? list(candidate.content.parts) : [];
    return { usage: r.usageMetadata, model: str(r.modelVersion), output: joinText(parts) };
  }
  const usage = isObj(r.usage) ? r.usage : undefined;
  const model = str(r.model);
  if (r.type === "message" && Array.isArray(r.content)) {
    return { usage, model, output: joinText(r.content, "text"), provider: "anthropic" };
  }
  if (r.object === "response") {
    // `output_text` is the openai SDK's convenience field; raw JSON has only `output`.
    const fromItems = list(r.output).flatMap((item) => (isObj(item) && item.type === "message" ? list(item.content) : []));
    const output = str(r.output_text) ?? joinText(fromItems, "output_text");
    return { usage, model, output, requestType: "responses" };
  }
  if (r.object === "chat.completion" || Array.isArray(r.choices)) {
    const choice = list(r.choices)[0];
    const message = isObj(choice) ? (isObj(choice.message) ? choice.message : undefined) : undefined;
    const content = message?.content;
    const output =
      str(content) ?? (Array.isArray(content) ? joinText(content) : undefined) ?? (isObj(choice) ? str(choice.text) : undefined);
    const requestType = r.object === "text_completion" ? "completion" : "chat";
    return { usage, model, output, requestType };
  }
  if (r.object === "list" && Array.isArray(r.data)) return { usage, model, requestType: "embeddings" };
  return { usage, model };
}
