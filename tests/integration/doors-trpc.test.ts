import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { log } from "@/server/lib/log";
import { openTestDatabase } from "../helpers/db";

// The route's own start-up and session, swapped for the test: a database, or a failure to reach one.
const state = vi.hoisted(() => ({ boot: (): Promise<unknown> => Promise.reject(new Error("not set")) }));
vi.mock("@/server/boot", () => ({ boot: () => state.boot() }));
vi.mock("@/server/auth", () => ({ currentMemberId: async () => null }));

const { GET, POST } = await import("@/app/api/trpc/[trpc]/route");

const url = (path: string, query = "") => `http://local/api/trpc/${path}${query}`;

describe("the tRPC door", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
  });
  afterAll(() => database.close());
  beforeEach(() => {
    state.boot = async () => database.db as Db;
  });

  it("M11: a 2 MB body to /api/trpc is refused with 413, in tRPC's error shape, declared or streamed", async () => {
    const big = JSON.stringify({ email: "a@example.com", password: "x".repeat(2 * 1024 * 1024), workspaceName: "w" });
    const res = await POST(new Request(url("auth.signUp"), { method: "POST", body: big, headers: { "content-type": "application/json" } }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } } });
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode("y".repeat(64 * 1024)));
        c.close();
      },
    });
    const streamed = await POST(
      new Request(url("auth.signUp"), {
        method: "POST",
        body: stream,
        duplex: "half",
        headers: { "content-type": "application/json" },
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
  });

  it("M11: a body under the cap still reaches the procedure (sign-up works through the capped request)", async () => {
    const email = `cap-${Date.now()}@example.com`;
    const res = await POST(
      new Request(url("auth.signUp"), {
        method: "POST",
        body: JSON.stringify({ email, password: "correct horse battery", workspaceName: "Capped" }),
        headers: { "content-type": "application/json" },
      }),
    );
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
  });

  it("M11: a batch of 500 calls is refused with 400 before any runs; 50 are still served", async () => {
    const batch = (n: number) =>
      url(Array(n).fill("members.previewInvitation").join(","), `?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`);
    let contexts = 0;
    state.boot = async () => {
      contexts++;
      return database.db;
    };
    const res = await GET(new Request(batch(500)));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/Batch call exceeds maximum size/);
    expect(contexts).toBe(0);
    const fifty = await GET(new Request(batch(50)));
    const answers = (await fifty.json()) as unknown[];
    expect(answers).toHaveLength(50); // each answered (here: a 400 for the missing token), none refused as a batch
  });

  it("L11: an error while creating the context reaches the client as a generic 500, and the log keeps the detail", async () => {
    state.boot = () =>
      Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:5432 (password authentication failed for user "tokenist_admin")'));
    const logged = vi.spyOn(log, "error").mockImplementation(() => {});
    try {
      const res = await GET(
        new Request(url("members.previewInvitation", `?input=${encodeURIComponent(JSON.stringify({ token: `inv_${"a".repeat(43)}` }))}`)),
      );
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toMatchObject({
        error: { message: "Something went wrong on our side.", data: { code: "INTERNAL_SERVER_ERROR" } },
      });
      expect(text).not.toMatch(/10\.1\.2\.3|tokenist_admin|ECONNREFUSED/);
      expect(logged).toHaveBeenCalledWith(
        "tRPC context failed",
        expect.objectContaining({ err: expect.objectContaining({ message: expect.stringContaining("10.1.2.3") }) }),
      );
    } finally {
      logged.mockRestore();
    }
  });
});
