// Pulls the end user's own words out of a chat request: the latest user turn (the user messages
// after the last assistant message), as plain text. System, assistant and tool messages are the
// application's words, not the user's, so they are left out; so are images and tool results.

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

/** The latest user turn of a conversation; a plain string is taken as the user's text. */
export function latestUserText(input: string | readonly TChatMessage[]): string {
  if (typeof input === "string") return input;
  let end = input.length - 1;
  while (end >= 0 && !(input[end] && isUser(input[end]))) end--;
  if (end < 0) return "";
  let start = end;
  while (start > 0 && input[start - 1] && input[start - 1].role !== "assistant" && input[start - 1].role !== "model") start--;
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
