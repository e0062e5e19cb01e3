// Bodies never exceed the server's cap (a 413 would lose the call): end-user text is cut, the
// oldest messages first, the longest strings first; what the call is counted by is never touched.
import { afterEach, describe, expect, it } from "vitest";
import { createTokenist } from "@/sdk/src/index";
import { cutString, fitCallBody, jsonBytes } from "@/sdk/src/trim";
import { sendJson, startStub, type StubServer } from "@/sdk/test/stub-server";

const CAP = 1_048_576;
const MB2 = 2 * 1024 * 1024;
const RESULT = {
  recorded: true,
  id: "evt_1",
  duplicate: false,
  costUsd: 0,
  costNanos: "0",
  tokens: {},
  model: null,
  settledCheckId: null,
  warnings: [],
};
const DECISION = {
  allowed: true,
  labels: ["safe"],
  reason: null,
  message: null,
  retryAfterSeconds: null,
  blockedUntil: null,
  limits: [],
  actions: [],
};
const USAGE = { prompt_tokens: 10, completion_tokens: 2 };

let stub: StubServer;
afterEach(() => stub?.close());
async function server() {
  stub = await startStub((req, res) =>
    sendJson(res, 200, req.url === "/sdk/check" ? DECISION : req.url === "/sdk/log" ? { logged: true, id: "log_1" } : RESULT),
  );
  return createTokenist({ apiKey: "ug_test", baseUrl: stub.url, onError: null, throwOnError: true });
}
/** The bytes that arrived, and the body parsed. */
const sent = (i = 0) => ({ bytes: Buffer.byteLength(stub.requests[i]!.body), json: stub.requests[i]!.json as Record<string, any> });

describe("check and record with 2 MB of text", () => {
  it("a 2 MB prompt: the body is cut to the cap; the ids and the start of the text are kept", async () => {
    const tk = await server();
    const input = "a".repeat(MB2);
    const params = { userId: "user_big", feature: "chat", model: "gpt-4o", input };
    await tk.check(params);
    const { bytes, json } = sent();
    expect(bytes).toBeLessThanOrEqual(CAP);
    expect(bytes).toBeGreaterThan(CAP - 64); // cut to fit, not emptied
    expect(json).toMatchObject({ userId: "user_big", feature: "chat", model: "gpt-4o" });
    expect(input.startsWith(json.input)).toBe(true);
    expect(params.input).toHaveLength(MB2); // the caller's object is never changed
  });

  it("2 MB of chat messages: the oldest go first, the latest is kept whole", async () => {
    const tk = await server();
    const old = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `${i}:`.padEnd(MB2 / 40, "x") }));
    const latest = { role: "user", content: "What did I ask first?" };
    await tk.record({ userId: "u", usage: USAGE, model: "gpt-4o", input: [...old, latest], output: "short answer" });
    const { bytes, json } = sent();
    expect(bytes).toBeLessThanOrEqual(CAP);
    expect(json.input.at(-1)).toEqual(latest);
    expect(json.output).toBe("short answer");
    expect(json.usage).toEqual(USAGE);
    // What is left of the history is its most recent part, in order.
    const kept = (json.input as Array<{ content: string }>).slice(0, -1).map((m) => Number(m.content.split(":")[0]));
    expect(kept.length).toBeGreaterThan(10);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 40 - kept.length + i));
  });

  it("one latest message that is itself too large is shortened, its role kept", async () => {
    const tk = await server();
    await tk.check({ userId: "u", input: [{ role: "user", content: [{ type: "text", text: "q".repeat(MB2) }] }] });
    const { bytes, json } = sent();
    expect(bytes).toBeLessThanOrEqual(CAP);
    expect(json.input).toHaveLength(1);
    expect(json.input[0]).toMatchObject({ role: "user", content: [{ type: "text" }] });
    expect(json.input[0].content[0].text.length).toBeGreaterThan(CAP - 200);
  });

  it("a 2 MB output beside a short prompt: only the output is cut (the longest text goes first)", async () => {
    const tk = await server();
    await tk.record({ userId: "u", usage: USAGE, input: "short prompt", sentiment: "z".repeat(MB2) });
    const { bytes, json } = sent();
    expect(bytes).toBeLessThanOrEqual(CAP);
    expect(json.input).toBe("short prompt");
    expect(json.sentiment.length).toBeGreaterThan(CAP - 200);
  });

  it("2 MB each of prompt and output: both cut to about the same length", async () => {
    const tk = await server();
    await tk.record({ userId: "u", usage: USAGE, input: "i".repeat(MB2), output: "o".repeat(MB2) });
    const { bytes, json } = sent();
    expect(bytes).toBeLessThanOrEqual(CAP);
    expect(Math.abs(json.input.length - json.output.length)).toBeLessThanOrEqual(1);
  });

  it("counts bytes, not characters: 2 MB of emoji and accents fit, no surrogate pair split", async () => {
    const tk = await server();
    await tk.check({ userId: "u", input: 'é😀\n"'.repeat(MB2 / 8) });
    const { bytes, json } = sent();
    expect(bytes).toBeLessThanOrEqual(CAP);
    expect(json.input).not.toContain("\uFFFD");
    expect(json.input.length).toBeGreaterThan(CAP / 8);
  });

  it("maxBodyBytes sets another cap", async () => {
    const tk = (await server()).init({ maxBodyBytes: 10_000 });
    await tk.record({ userId: "u", usage: USAGE, input: "x".repeat(50_000), output: "y".repeat(50_000) });
    expect(sent().bytes).toBeLessThanOrEqual(10_000);
  });

  it("a body under the cap is sent exactly as given", async () => {
    const tk = await server();
    const input = [{ role: "user", content: "hello" }];
    await tk.check({ userId: "u", input });
    expect(sent().json).toEqual({ userId: "u", input });
  });
});

describe("log", () => {
  it("2 MB inside the response: its longest strings are cut, the short ones and the request kept", async () => {
    const tk = await server();
    const request = { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] };
    const response = {
      id: "chatcmpl-1",
      choices: [{ message: { role: "assistant", content: "r".repeat(MB2) } }, { message: { content: "s".repeat(MB2 / 2) } }],
    };
    await tk.log({ requestId: "req_log", request, response });
    const { bytes, json } = sent();
    expect(bytes).toBeLessThanOrEqual(CAP);
    expect(json.request).toEqual(request);
    expect(json).toMatchObject({ requestId: "req_log", response: { id: "chatcmpl-1" } });
    const [first, second] = json.response.choices.map((c: { message: { content: string } }) => c.message.content.length);
    expect(Math.abs(first - second)).toBeLessThanOrEqual(1); // cut to one level
    expect(response.choices[0]!.message.content).toHaveLength(MB2);
  });
});

describe("the cutting itself", () => {
  it("cutString keeps the longest start whose JSON fits, never half a surrogate pair", () => {
    expect(cutString("abcdef", 5)).toBe("abc"); // "abc" plus its quotes
    expect(cutString("😀😀", 7)).toBe("😀"); // 4 bytes + quotes; 2 more would split the second
    expect(cutString('""', 4)).toBe('"'); // an escaped quote takes 2
    expect(cutString("abc", 0)).toBe("");
  });

  it("fitCallBody lands within the cap for any cap, and returns the body itself when it fits", () => {
    const body = {
      userId: "u",
      input: [
        { role: "user", content: "x".repeat(5000) },
        { role: "user", content: "y".repeat(3000) },
      ],
      output: "z".repeat(4000),
    };
    expect(fitCallBody(body, 1e6)).toBe(body);
    for (const cap of [200, 1000, 4000, 8000, 11_000]) expect(jsonBytes(fitCallBody(body, cap)), `cap ${cap}`).toBeLessThanOrEqual(cap);
  });
});
