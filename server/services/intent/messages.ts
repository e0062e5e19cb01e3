// Pulls the end user's own words out of a chat request: the latest user turn (the user messages
// after the last assistant message), as plain text. System, assistant and tool messages are the
// application's words, not the user's, so they are left out; so are images and tool results.
// The tool results and retrieved content of the current turn are read apart (currentTurnContent):
// text the application fetched for this call, where an indirect prompt injection arrives.

export interface TChatMessage {
  role?: string;
  content?: unknown;
}

const USER_ROLES = new Set(["user", "human"]);

/** Text of string content or of OpenAI / Anthropic content parts ({type: "text" | "input_text", text}). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const parts: string[] = [];
    for (const part of content) {
      if (typeof part === "string") parts.push(part);
      else if (part && typeof part === "object") {
        const { type, text } = part as { type?: unknown; text?: unknown };
        if (typeof text === "string" && (type === undefined || type === "text" || type === "input_text")) parts.push(text);
      }
    }
    return parts.join("\n");
  }
  if (content && typeof content === "object" && typeof (content as { text?: unknown }).text === "string") {
    return (content as { text: string }).text;
  }
  return "";
}

function isUser(m: TChatMessage): boolean {
  return m.role === undefined || USER_ROLES.has(m.role);
}

/** The model's own turn (OpenAI/Anthropic `assistant`, Gemini `model`): where the current turn starts after. */
function isAssistant(m: TChatMessage | undefined): boolean {
  return m?.role === "assistant" || m?.role === "model";
}

/** The latest user turn of a conversation; a plain string is taken as the user's text. */
export function latestUserText(input: string | readonly TChatMessage[]): string {
  if (typeof input === "string") return input;
  let end = input.length - 1;
  while (end >= 0 && !(input[end] && isUser(input[end]))) end--;
  if (end < 0) return "";
  let start = end;
  while (start > 0 && input[start - 1] && !isAssistant(input[start - 1])) start--;
  const texts: string[] = [];
  for (let i = start; i <= end; i++) {
    const m = input[i];
    if (m && isUser(m)) {
      const t = contentText(m.content).trim();
      if (t) texts.push(t);
    }
  }
  return texts.join("\n");
}

const TOOL_ROLES = new Set(["tool", "function", "tool_result", "ipython"]);
/** Content-part and item types that carry a tool's result (Anthropic tool_result, OpenAI Responses function_call_output). */
const TOOL_PART_TYPES = new Set(["tool_result", "function_call_output", "mcp_tool_result", "web_search_tool_result"]);

/** Text of a tool result's own payload: Anthropic `content` (string or parts), OpenAI Responses `output`. */
function toolPartText(part: { content?: unknown; output?: unknown }): string {
  const content = contentText(part.content);
  if (content) return content;
  return typeof part.output === "string" ? part.output : contentText(part.output);
}

/**
 * The tool results and retrieved content of the current turn (the messages after the last
 * assistant message), one text each: OpenAI `role: "tool"` / `"function"` messages, Anthropic
 * `tool_result` parts inside a user message, OpenAI Responses `function_call_output` items. Not the
 * end user's words (latestUserText has those), not the system prompt: what the application fetched
 * for this call. A plain string input has none.
 */
export function currentTurnContent(input: string | readonly TChatMessage[]): string[] {
  if (typeof input === "string") return [];
  let start = input.length;
  while (start > 0 && input[start - 1] && !isAssistant(input[start - 1])) start--;
  const texts: string[] = [];
  const add = (t: string) => {
    const trimmed = t.trim();
    if (trimmed) texts.push(trimmed);
  };
  for (let i = start; i < input.length; i++) {
    const m = input[i] as (TChatMessage & { type?: unknown; output?: unknown }) | undefined;
    if (!m) continue;
    if (m.role !== undefined && TOOL_ROLES.has(m.role)) add(toolPartText(m));
    else if (typeof m.type === "string" && TOOL_PART_TYPES.has(m.type)) add(toolPartText(m));
    else if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (part && typeof part === "object" && TOOL_PART_TYPES.has(String((part as { type?: unknown }).type))) add(toolPartText(part));
      }
    }
  }
  return texts;
}
