import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, onAppDatabase, startApp, type RunningApp } from "../helpers/app-server";
import { TEST_DRIVERS } from "../helpers/db";
import { signUpWithKey } from "../helpers/session";

const DAY = 86_400_000;

type Call = {
  userId: string;
  orgId?: string;
  feature?: string;
  tier: string;
  model: string;
  input: number;
  output: number;
  daysAgo?: number;
};

/** The hand-built calls of workspace A: nulls (no org, no feature), a model in capitals, an unpriced model, an old call. */
const CALLS: Call[] = [
  { userId: "ann", orgId: "acme", feature: "chat", tier: "pro", model: "gpt-4o-mini", input: 1000, output: 100 },
  { userId: "ann", orgId: "acme", feature: "chat", tier: "pro", model: "gpt-4o-mini", input: 2000, output: 200 },
  { userId: "ann", orgId: "acme", feature: "search", tier: "pro", model: "gpt-4o", input: 500, output: 50 },
  { userId: "ben", orgId: "acme", feature: "chat", tier: "free", model: "gpt-4o-mini", input: 300, output: 30 },
  { userId: "ben", tier: "free", model: "GPT-4o-mini", input: 100, output: 10 },
  { userId: "cat", orgId: "beta", feature: "chat", tier: "pro", model: "my-house-llm", input: 1000, output: 1000 },
  { userId: "cat", orgId: "beta", feature: "search", tier: "pro", model: "gpt-4o", input: 4000, output: 400, daysAgo: 2 },
];

type Row = Record<string, unknown>;

/**
 * A breakdown row written out by hand: its keys, the calls (indexes into CALLS) it sums, and
 * their cost as /sdk/record answered it.
 */
function row(keys: Row, calls: number[], costs: bigint[]): Row {
  const cost = calls.reduce((s, i) => s + costs[i]!, 0n);
  return {
    ...keys,
    requests: calls.length,
    inputTokens: calls.reduce((s, i) => s + CALLS[i]!.input, 0),
    outputTokens: calls.reduce((s, i) => s + CALLS[i]!.output, 0),
    totalTokens: calls.reduce((s, i) => s + CALLS[i]!.input + CALLS[i]!.output, 0),
    costNanos: cost.toString(),
    costUsd: Number(cost) / 1e9,
    unpricedRequests: calls.filter((i) => CALLS[i]!.model === "my-house-llm").length,
  };
}

/** The documented order: cost descending, then each key ascending with nulls last. */
function ordered(rows: Row[], fields: string[]): Row[] {
  const key = (v: unknown) => (v === null ? "\uffff" : String(v));
  return [...rows].sort((a, b) => {
    const c = BigInt(b.costNanos as string) - BigInt(a.costNanos as string);
    if (c !== 0n) return c > 0n ? 1 : -1;
    for (const f of fields) {
      const x = key(a[f]);
      const y = key(b[f]);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
}

function usd(nanos: string): string {
  const n = BigInt(nanos);
  return `${n / 1_000_000_000n}.${(n % 1_000_000_000n).toString().padStart(9, "0")}`;
}

describe.each(TEST_DRIVERS)("usage breakdowns over HTTP on %s", (driver) => {
  let app: RunningApp;
  let b: Awaited<ReturnType<typeof signUpWithKey>>;
  let bApi: { baseUrl: string; apiKey: string };
  const costs: bigint[] = [];
  let wsA = "";

  beforeAll(async () => {
    app = await startApp({ driver });
    await onAppDatabase(app, async (query) => {
      const [ws] = (await query(`select id from workspaces`)) as Array<{ id: string }>;
      wsA = ws!.id;
      await query(
        `insert into segments (id, workspace_id, name, filter) values ('seg_breakdown_pro', $1, 'Pro', '{"tier":"pro"}'::jsonb)`,
        [ws!.id],
      );
    });
    for (const [i, c] of CALLS.entries()) {
      const res = await callApi(app, "/sdk/record", {
        body: {
          userId: c.userId,
          orgId: c.orgId,
          feature: c.feature,
          tier: c.tier,
          model: c.model,
          requestId: `breakdown-${i}`,
          usage: { prompt_tokens: c.input, completion_tokens: c.output },
          ...(c.daysAgo ? { timestamp: new Date(Date.now() - c.daysAgo * DAY).toISOString() } : {}),
        },
      });
      expect(res.status).toBe(200);
      costs.push(BigInt(res.body.costNanos));
    }
    expect(costs.filter((c) => c > 0n)).toHaveLength(CALLS.length - 1); // priced, except my-house-llm
    b = await signUpWithKey(app.baseUrl, `breakdown-b-${driver}@example.com`);
    bApi = { baseUrl: app.baseUrl, apiKey: b.apiKey };
    const rb = await callApi(bApi, "/sdk/record", {
      body: { userId: "ann", feature: "chat", model: "gpt-4o-mini", requestId: "b-0", usage: { prompt_tokens: 7, completion_tokens: 3 } },
    });
    expect(rb.status).toBe(200);
  }, 240_000);
  afterAll(() => app?.dispose());

  const get = (route: string, who: { baseUrl: string; apiKey: string } = app) => callApi(who, route);

  it("by user: one row per end user, over the default 30 days", async () => {
    const res = await get("/api/v1/usage/breakdown?by=user");
    expect(res.status).toBe(200);
    const expected = ordered(
      [row({ userId: "ann" }, [0, 1, 2], costs), row({ userId: "ben" }, [3, 4], costs), row({ userId: "cat" }, [5, 6], costs)],
      ["userId"],
    );
    expect(res.body).toEqual({ data: expected, nextCursor: null });
  });

  it("by feature,model: nulls stay null, models in one case, only the asked keys", async () => {
    const res = await get("/api/v1/usage/breakdown?by=feature,model");
    expect(res.status).toBe(200);
    const expected = ordered(
      [
        row({ feature: "chat", model: "gpt-4o-mini" }, [0, 1, 3], costs),
        row({ feature: "search", model: "gpt-4o" }, [2, 6], costs),
        row({ feature: null, model: "gpt-4o-mini" }, [4], costs),
        row({ feature: "chat", model: "my-house-llm" }, [5], costs),
      ],
      ["feature", "model"],
    );
    expect(res.body.data).toEqual(expected);
    for (const r of res.body.data) expect(Object.keys(r)).not.toContain("userId");
  });

  it("by tier,org over an explicit range (the 2-day-old call left out)", async () => {
    const from = new Date(Date.now() - DAY).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const res = await get(`/api/v1/usage/breakdown?by=tier,org&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(res.status).toBe(200);
    const expected = ordered(
      [
        row({ tier: "pro", orgId: "acme" }, [0, 1, 2], costs),
        row({ tier: "free", orgId: "acme" }, [3], costs),
        row({ tier: "free", orgId: null }, [4], costs),
        row({ tier: "pro", orgId: "beta" }, [5], costs),
      ],
      ["tier", "orgId"],
    );
    expect(res.body.data).toEqual(expected);
  });

  it("pages of 2 through by=user,feature,model add up to the whole set, each row once", async () => {
    const full = await get("/api/v1/usage/breakdown?by=user,feature,model&limit=1000");
    const expected = ordered(
      [
        row({ userId: "ann", feature: "chat", model: "gpt-4o-mini" }, [0, 1], costs),
        row({ userId: "ann", feature: "search", model: "gpt-4o" }, [2], costs),
        row({ userId: "ben", feature: "chat", model: "gpt-4o-mini" }, [3], costs),
        row({ userId: "ben", feature: null, model: "gpt-4o-mini" }, [4], costs),
        row({ userId: "cat", feature: "chat", model: "my-house-llm" }, [5], costs),
        row({ userId: "cat", feature: "search", model: "gpt-4o" }, [6], costs),
      ],
      ["userId", "feature", "model"],
    );
    expect(full.body).toEqual({ data: expected, nextCursor: null });
    const pages: Row[] = [];
    let cursor: string | null = null;
    let requests = 0;
    do {
      const res = await get(`/api/v1/usage/breakdown?by=user,feature,model&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      pages.push(...res.body.data);
      cursor = res.body.nextCursor;
      requests++;
    } while (cursor && requests < 10);
    expect(requests).toBe(3);
    expect(pages).toEqual(expected);
  });

  it("CSV of the whole breakdown, in the same order", async () => {
    const res = await fetch(`${app.baseUrl}/api/v1/usage/breakdown/export?by=feature,user`, {
      headers: { authorization: `Bearer ${app.apiKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const expected = ordered(
      [
        row({ feature: "chat", userId: "ann" }, [0, 1], costs),
        row({ feature: "search", userId: "ann" }, [2], costs),
        row({ feature: "chat", userId: "ben" }, [3], costs),
        row({ feature: null, userId: "ben" }, [4], costs),
        row({ feature: "chat", userId: "cat" }, [5], costs),
        row({ feature: "search", userId: "cat" }, [6], costs),
      ],
      ["feature", "userId"],
    );
    const lines = expected.map((r) =>
      [
        r.feature ?? "",
        r.userId,
        r.requests,
        r.inputTokens,
        r.outputTokens,
        r.totalTokens,
        usd(r.costNanos as string),
        r.unpricedRequests,
      ].join(","),
    );
    expect(await res.text()).toBe(
      ["feature,user,requests,input_tokens,output_tokens,total_tokens,cost_usd,unpriced_requests", ...lines].join("\n") + "\n",
    );
  });

  it("a segment restricts the rows to its members (tier pro: ann and cat)", async () => {
    const res = await get("/api/v1/usage/breakdown?by=user,tier&segment=seg_breakdown_pro");
    expect(res.status).toBe(200);
    const expected = ordered(
      [row({ userId: "ann", tier: "pro" }, [0, 1, 2], costs), row({ userId: "cat", tier: "pro" }, [5, 6], costs)],
      ["userId", "tier"],
    );
    expect(res.body.data).toEqual(expected);
    const csv = await fetch(`${app.baseUrl}/api/v1/usage/breakdown/export?by=user&segment=seg_breakdown_pro`, {
      headers: { authorization: `Bearer ${app.apiKey}` },
    });
    expect(
      (await csv.text())
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(",")[0]),
    ).toEqual(expected.map((r) => r.userId));
  });

  it("400 for an unknown or repeated dimension, a missing by, a bad limit or cursor; 404 for an unknown segment", async () => {
    for (const q of ["by=nope", "by=user,user", "by=", "", "by=user&limit=0", "by=user&limit=1001", "by=user&cursor=bm9wZQ"]) {
      const res = await get(`/api/v1/usage/breakdown?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe("invalid_request");
      expect(typeof res.body.error.message, q).toBe("string");
    }
    const nope = await get("/api/v1/usage/breakdown/export?by=user,model,user");
    expect(nope.status).toBe(400);
    expect(nope.body.error.code).toBe("invalid_request");
    // A cursor of another breakdown (other dimensions) is refused, not misread.
    const page = await get("/api/v1/usage/breakdown?by=user&limit=1");
    expect((await get(`/api/v1/usage/breakdown?by=user,feature&cursor=${page.body.nextCursor}`)).status).toBe(400);
    const unknown = await get("/api/v1/usage/breakdown?by=user&segment=seg_nope");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
  });

  it("another workspace's key sees only its own rows, and cannot use this one's segment", async () => {
    const res = await get("/api/v1/usage/breakdown?by=user,feature", bApi);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({ userId: "ann", feature: "chat", requests: 1, inputTokens: 7, outputTokens: 3 });
    const csv = await fetch(`${app.baseUrl}/api/v1/usage/breakdown/export?by=user`, { headers: { authorization: `Bearer ${b.apiKey}` } });
    expect((await csv.text()).trim().split("\n")).toHaveLength(2);
    expect((await get("/api/v1/usage/breakdown?by=user&segment=seg_breakdown_pro", bApi)).status).toBe(404);
  });

  it("the dashboard's CSV download: the member's own workspace only", async () => {
    const range = `from=${new Date(Date.now() - DAY).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
    const own = await b.session.fetch(`/api/export/breakdown?workspaceId=${b.workspaceId}&by=user,model&${range}`);
    expect(own.status).toBe(200);
    expect(own.headers.get("content-disposition")).toMatch(/^attachment; filename="tokenist-breakdown-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await own.text()).trim().split("\n");
    expect(lines[0]).toBe("user,model,requests,input_tokens,output_tokens,total_tokens,cost_usd,unpriced_requests");
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 6).join(","))).toEqual(["ann,gpt-4o-mini,1,7,3,10"]);
    const foreign = await b.session.fetch(`/api/export/breakdown?workspaceId=${wsA}&by=user&${range}`);
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain("cat");
    expect((await b.session.fetch(`/api/export/breakdown?workspaceId=${b.workspaceId}&by=nope&${range}`)).status).toBe(400);
  });
});
