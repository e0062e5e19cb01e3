// A local OpenAI-compatible server for the real `openai` client: Chat Completions, Responses and
// embeddings, streamed or not, answering with fixed text and usage. It keeps every request, so a
// test can see which model was called (or that nothing was).
//
// Per request, a header steers a stream: `x-standin-hold: 1` sends the text chunks and then keeps
// the connection open (a long answer the reader leaves early); `x-standin-fail: 1` drops the
// connection after two chunks (a stream that errors).
import http from "node:http";
import type { AddressInfo } from "node:net";

export const STANDIN_TEXT = ["Hel", "lo", " the", "re", ",", " friend", "!"];
export const STANDIN_USAGE = {
  chat: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16, prompt_tokens_details: { cached_tokens: 0 } },
  responses: {
    input_tokens: 11,
    output_tokens: 7,
    total_tokens: 18,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  },
  embeddings: { prompt_tokens: 5, total_tokens: 5 },
};

export interface StandInRequest {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: { model: string; stream?: boolean; stream_options?: { include_usage?: boolean }; [key: string]: unknown };
}

export async function startOpenAIStandIn() {
  const requests: StandInRequest[] = [];
  /** Streams whose reader went away before the end (the stand-in saw the connection close). */
  let closedEarly = 0;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const request: StandInRequest = { url: req.url ?? "", headers: req.headers, body: JSON.parse(raw || "{}") };
      requests.push(request);
      const { body } = request;
      const kind =
        req.url === "/v1/chat/completions"
          ? "chat"
          : req.url === "/v1/responses"
            ? "responses"
            : req.url === "/v1/embeddings"
              ? "embeddings"
              : null;
      if (!kind)
        return void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "no such route" } }));
      if (kind === "embeddings") return json(res, embeddings(body.model, body.encoding_format === "base64"));
      if (!body.stream) return json(res, kind === "chat" ? chatCompletion(body.model) : response(body.model, "completed"));

      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.flushHeaders();
      const events = kind === "chat" ? chatChunks(body.model, body.stream_options?.include_usage === true) : responseEvents(body.model);
      const hold = req.headers["x-standin-hold"] === "1";
      const fail = req.headers["x-standin-fail"] === "1";
      res.on("close", () => {
        if (!res.writableFinished) closedEarly++;
      });
      const textEvents = kind === "chat" ? STANDIN_TEXT.length : STANDIN_TEXT.length + 1; // + response.created
      events.forEach((event, i) => {
        if ((hold || fail) && i >= (fail ? 2 : textEvents)) return;
        res.write(
          kind === "responses"
            ? `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`
            : `data: ${JSON.stringify(event)}\n\n`,
        );
      });
      if (fail) return void setTimeout(() => res.destroy(), 20);
      if (!hold) res.end(kind === "chat" ? "data: [DONE]\n\n" : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    closedEarly: () => closedEarly,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, body: unknown) {
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
}

const TEXT = STANDIN_TEXT.join("");

function chatCompletion(model: string) {
  const message = { role: "assistant", content: TEXT, refusal: null };
  return {
    id: "chatcmpl-standin",
    object: "chat.completion",
    created: 1_764_000_000,
    model,
    choices: [{ index: 0, message, finish_reason: "stop", logprobs: null }],
    usage: STANDIN_USAGE.chat,
  };
}

function chatChunks(model: string, includeUsage: boolean) {
  const chunk = (choices: unknown[], usage?: unknown) => ({
    id: "chatcmpl-standin",
    object: "chat.completion.chunk",
    created: 1_764_000_000,
    model,
    choices,
    ...(includeUsage ? { usage: usage ?? null } : {}),
  });
  return [
    ...STANDIN_TEXT.map((content) => chunk([{ index: 0, delta: { content }, finish_reason: null }])),
    ...(includeUsage ? [chunk([], STANDIN_USAGE.chat)] : []),
  ];
}

function response(model: string, status: "in_progress" | "completed") {
  const done = status === "completed";
  return {
    id: "resp_standin",
    object: "response",
    created_at: 1_764_000_000,
    model,
    status,
    output: done
      ? [
          {
            type: "message",
            id: "msg_standin",
            role: "assistant",
            status: "completed",
            content: [{ type: "output_text", text: TEXT, annotations: [] }],
          },
        ]
      : [],
    usage: done ? STANDIN_USAGE.responses : null,
  };
}

function responseEvents(model: string) {
  let sequence_number = 0;
  return [
    { type: "response.created", sequence_number: sequence_number++, response: response(model, "in_progress") },
    ...STANDIN_TEXT.map((delta) => ({
      type: "response.output_text.delta",
      item_id: "msg_standin",
      output_index: 0,
      content_index: 0,
      delta,
      sequence_number: sequence_number++,
    })),
    { type: "response.completed", sequence_number: sequence_number++, response: response(model, "completed") },
  ];
}

/** The openai client asks for base64 (little-endian float32) unless told otherwise, and decodes it. */
function embeddings(model: string, base64: boolean) {
  const vector = [0.5, 0.25, 0.125];
  const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
  return { object: "list", model, data: [{ object: "embedding", index: 0, embedding }], usage: STANDIN_USAGE.embeddings };
}
