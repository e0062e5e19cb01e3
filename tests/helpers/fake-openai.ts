import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: {
    model: string;
    messages: Array<{ role: string; content: string }>;
    response_format: { type: string; json_schema: { name: string; strict: boolean; schema: Record<string, unknown> } };
    [key: string]: unknown;
  };
}

type Reply = { status: number; answer?: unknown };

/**
 * A local OpenAI-compatible server (POST /v1/chat/completions) that keeps every request and
 * answers from a queue: a JSON label answer as a chat completion, or an error status. When
 * the queue is empty it repeats `fallback`.
 */
export async function startFakeOpenAI() {
  const requests: ChatRequest[] = [];
  const queue: Reply[] = [];
  const state: { fallback: Reply; usage: Record<string, unknown> } = {
    fallback: { status: 500 },
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: JSON.parse(raw || "{}") });
      const reply = queue.shift() ?? state.fallback;
      if (reply.status !== 200) {
        res
          .writeHead(reply.status, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { message: "upstream is down", type: "server_error" } }));
        return;
      }
      const model = requests.at(-1)!.body.model;
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [
            { index: 0, finish_reason: "stop", message: { role: "assistant", content: JSON.stringify(reply.answer), refusal: null } },
          ],
          usage: state.usage,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    /** Answer the next calls with these labels (in order). */
    answer: (...answers: unknown[]) => queue.push(...answers.map((answer) => ({ status: 200, answer }))),
    /** Fail the next `times` calls with `status`. */
    fail: (times: number, status = 500) => queue.push(...Array.from({ length: times }, () => ({ status }))),
    setFallback: (reply: Reply) => (state.fallback = reply),
    /** The `usage` object of every answer from now on (default 100 prompt + 20 completion tokens). */
    setUsage: (usage: Record<string, unknown>) => (state.usage = usage),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
