// Watches a provider stream as the caller reads it: its text and its usage, for the record made
// when reading stops. The stream object itself is handed back, never a copy.

export interface StreamSummary {
  /** The last usage seen: Chat's final chunk, or the Responses API's `response.completed` event. */
  usage?: object;
  /** The text streamed so far (choice 0 of Chat, `response.output_text.delta` of Responses). */
  output: string;
}

/** The server keeps this many characters of output; more is not worth holding in memory. */
const MAX_TEXT = 1_000_000;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;

/**
 * Hands every chunk on unchanged and calls `done` once, when iteration stops: at the end, on a
 * `break` or `return`, an abort, or an error. The stream object itself is returned, so
 * `controller`, `toReadableStream()` and `tee()` of openai's Stream keep working and are
 * observed too. A stream nobody ever reads is not seen.
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
  // Responses API events: text deltas, and the final response (completed, incomplete or failed) with its usage.
  if (typeof chunk.type === "string" && chunk.type.startsWith("response.")) {
    if (chunk.type === "response.output_text.delta" && typeof chunk.delta === "string") append(summary, chunk.delta);
    if (isObj(chunk.response) && isObj(chunk.response.usage)) summary.usage = chunk.response.usage;
    return;
  }
  if (!Array.isArray(chunk.choices)) return;
  for (const choice of chunk.choices) {
    if (!isObj(choice) || (choice.index ?? 0) !== 0 || !isObj(choice.delta)) continue;
    if (typeof choice.delta.content === "string") append(summary, choice.delta.content);
  }
}

function append(summary: StreamSummary, text: string) {
  if (summary.output.length >= MAX_TEXT) return;
  summary.output += text;
  if (summary.output.length > MAX_TEXT) summary.output = summary.output.slice(0, MAX_TEXT);
}
