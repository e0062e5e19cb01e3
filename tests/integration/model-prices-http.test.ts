import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type RunningApp, startApp } from "../helpers/app-server";
import { TEST_DRIVERS } from "../helpers/db";
import { signUpWithKey } from "../helpers/session";

/** Run SQL on the app's database: Postgres directly, PGlite once the app is stopped (one process owns it). */
async function runSql(app: RunningApp, statement: string): Promise<Array<Record<string, unknown>>> {
  if (app.databaseUrl) {
    const sql = postgres(app.databaseUrl, { max: 1, onnotice: () => {} });
    const rows = await sql.unsafe(statement);
    await sql.end();
    return [...rows];
  }
  await app.stop();
  const pg = await PGlite.create(path.join(app.dataDir, "pglite"));
  const rows = (await pg.query<Record<string, unknown>>(statement)).rows;
  await pg.close();
  return rows;
}

const PRICE = {
  inputPerMillionUsd: 2.5,
  outputPerMillionUsd: 10,
  cachedInputPerMillionUsd: 1.25,
  cacheWritePerMillionUsd: null,
  reasoningPerMillionUsd: null,
};
// 1,234 prompt tokens of which 200 cached, 567 completion tokens.
const USAGE = { prompt_tokens: 1234, completion_tokens: 567, prompt_tokens_details: { cached_tokens: 200 } };
// By hand, in nano-dollars: (1234 − 200) × 2.5 $/M + 200 × 1.25 $/M + 567 × 10 $/M
//   = 1034 × 2,500 + 200 × 1,250 + 567 × 10,000 = 2,585,000 + 250,000 + 5,670,000.
const CUSTOM_COST = String(2_585_000 + 250_000 + 5_670_000);
// gpt-4o-mini: 1,000 in and 500 out. The catalogue's $0.15 / $0.60 per M; our $1 / $2 per M.
const MINI_USAGE = { prompt_tokens: 1000, completion_tokens: 500 };
const MINI_CATALOGUE_COST = String(1000 * 150 + 500 * 600);
const MINI_CUSTOM_COST = String(1000 * 1_000 + 500 * 2_000);

describe.each(TEST_DRIVERS)("custom model prices over HTTP (%s)", (driver) => {
  let app: RunningApp;
  let other: { baseUrl: string; apiKey: string };
  let n = 0;
  const record = (model: string, usage: object) =>
    callApi(app, "/sdk/record", { body: { userId: "u1", model, usage, requestId: `req-${++n}` } });
  // Model rollups are keyed lower-cased, as prices are.
  const usageOf = async (model: string) =>
    (await callApi(app, `/api/v1/usage?dimension=model&key=${encodeURIComponent(model.toLowerCase())}`)).body.totals;
  const eventOf = async (id: string) => (await callApi(app, `/api/v1/events/${id}`)).body.event;

  beforeAll(async () => {
    app = await startApp({ driver, env: { TOKENIST_API_RATE_LIMIT: "100000" } });
    other = { baseUrl: app.baseUrl, apiKey: (await signUpWithKey(app.baseUrl, "other@example.com")).apiKey };
  }, 120_000);
  afterAll(() => app?.dispose());

  it("an unknown model is unpriced until a custom price is set; then later calls cost exactly that, earlier ones keep $0", async () => {
    const before = await record("Acme-LLM-1", USAGE);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ costNanos: "0", warnings: ["unknown_model_price"] });
    expect(await usageOf("Acme-LLM-1")).toMatchObject({ requests: 1, unpricedRequests: 1, costNanos: "0" });
    const unknown = await callApi(app, "/api/v1/model-prices?model=Acme-LLM-1");
    expect(unknown.body).toMatchObject({ model: "acme-llm-1", source: "unknown", inputPerMillionUsd: null, outputPerMillionUsd: null });

    // Named in any case; stored lower-cased, as the record path matches it.
    const put = await callApi(app, "/api/v1/model-prices/ACME-llm-1", { method: "PUT", body: PRICE });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ model: "acme-llm-1", ...PRICE, audioInputPerMillionUsd: null });

    const after = await record("Acme-LLM-1", USAGE);
    expect(after.body.costNanos).toBe(CUSTOM_COST);
    expect(after.body.warnings).toEqual([]);
    expect((await eventOf(after.body.id)).costNanos).toBe(CUSTOM_COST);
    expect(await eventOf(before.body.id)).toMatchObject({ costNanos: "0", priced: false });
    expect(await usageOf("Acme-LLM-1")).toMatchObject({ requests: 2, unpricedRequests: 1, costNanos: CUSTOM_COST });

    // A second PUT replaces the price: 10 $/M in, 10 $/M out, no cached price (cached tokens at the input price).
    const replaced = await callApi(app, "/api/v1/model-prices/acme-llm-1", {
      method: "PUT",
      body: { inputPerMillionUsd: 10, outputPerMillionUsd: 10 },
    });
    expect(replaced.body).toMatchObject({ inputPerMillionUsd: 10, cachedInputPerMillionUsd: null });
    expect((await record("acme-llm-1", USAGE)).body.costNanos).toBe(String((1234 + 567) * 10_000));
  });

  it("a custom price wins over the catalogue, and after DELETE later calls are back at the catalogue's", async () => {
    const catalogue = await callApi(app, "/api/v1/model-prices?model=gpt-4o-mini");
    expect(catalogue.body).toMatchObject({ source: "catalogue", provider: "openai", inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 });
    expect((await record("gpt-4o-mini", MINI_USAGE)).body.costNanos).toBe(MINI_CATALOGUE_COST);

    const put = await callApi(app, "/api/v1/model-prices/gpt-4o-mini", {
      method: "PUT",
      body: { inputPerMillionUsd: 1, outputPerMillionUsd: 2 },
    });
    expect(put.status).toBe(200);
    expect((await callApi(app, "/api/v1/model-prices?model=GPT-4o-mini")).body).toMatchObject({
      model: "gpt-4o-mini",
      source: "custom",
      inputPerMillionUsd: 1,
      outputPerMillionUsd: 2,
    });
    const custom = await record("gpt-4o-mini", MINI_USAGE);
    expect(custom.body.costNanos).toBe(MINI_CUSTOM_COST);

    const list = await callApi(app, "/api/v1/model-prices");
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { model: string }) => p.model)).toEqual(["acme-llm-1", "gpt-4o-mini"]);
    expect(list.body.nextCursor).toBeNull();

    const del = await callApi(app, "/api/v1/model-prices/GPT-4o-mini", { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ model: "gpt-4o-mini", deleted: true });
    expect((await callApi(app, "/api/v1/model-prices?model=gpt-4o-mini")).body.source).toBe("catalogue");
    expect((await record("gpt-4o-mini", MINI_USAGE)).body.costNanos).toBe(MINI_CATALOGUE_COST);
    // The call recorded under the custom price keeps its cost.
    expect((await eventOf(custom.body.id)).costNanos).toBe(MINI_CUSTOM_COST);
    expect((await callApi(app, "/api/v1/model-prices")).body.data.map((p: { model: string }) => p.model)).toEqual(["acme-llm-1"]);
  });

  it("a model name with a slash is priced through its percent-encoded path", async () => {
    const put = await callApi(app, "/api/v1/model-prices/acme%2Fft-7", {
      method: "PUT",
      body: { inputPerMillionUsd: 3, outputPerMillionUsd: 4 },
    });
    expect(put.status).toBe(200);
    expect(put.body.model).toBe("acme/ft-7");
    expect((await record("acme/FT-7", MINI_USAGE)).body.costNanos).toBe(String(1000 * 3_000 + 500 * 4_000));
    expect((await callApi(app, "/api/v1/model-prices/acme%2Fft-7", { method: "DELETE" })).status).toBe(200);
    expect((await record("acme/ft-7", MINI_USAGE)).body).toMatchObject({ costNanos: "0", warnings: ["unknown_model_price"] });
  });

  it("refuses bad bodies and names (400) and answers 404 to deleting a model without a custom price", async () => {
    const bad = async (body: unknown, message: RegExp, model = "acme-llm-2") => {
      const res = await callApi(app, `/api/v1/model-prices/${model}`, { method: "PUT", body });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.message).toMatch(message);
    };
    await bad({ inputPerMillionUsd: -1, outputPerMillionUsd: 1 }, /inputPerMillionUsd/);
    await bad({ inputPerMillionUsd: 1, outputPerMillionUsd: 1, cachedInputPerMillionUsd: -0.5 }, /cachedInputPerMillionUsd/);
    await bad({ inputPerMillionUsd: 1, outputPerMillionUsd: 1e9 }, /outputPerMillionUsd/);
    await bad({ inputPerMillionUsd: 1, outputPerMillionUsd: 1, inputPerMilionUsd: 2 }, /Unknown field "inputPerMilionUsd"/);
    await bad({ inputPerMillionUsd: 1 }, /outputPerMillionUsd is required/);
    await bad({ inputPerMillionUsd: "1", outputPerMillionUsd: 1 }, /inputPerMillionUsd/);
    await bad({ inputPerMillionUsd: 1, outputPerMillionUsd: 1 }, /model/, "%20%20");
    await bad({ inputPerMillionUsd: 1, outputPerMillionUsd: 1 }, /model/, "x".repeat(257));
    expect((await callApi(app, "/api/v1/model-prices?model=acme-llm-2")).body.source).toBe("unknown");

    const missing = await callApi(app, "/api/v1/model-prices/acme-llm-2", { method: "DELETE" });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
    expect((await callApi(app, "/api/v1/model-prices?model=")).status).toBe(400);
  });

  it("another workspace sees none of it, cannot delete it, and its own price does not reach this one", async () => {
    expect((await callApi(other, "/api/v1/model-prices")).body.data).toEqual([]);
    expect((await callApi(other, "/api/v1/model-prices?model=acme-llm-1")).body.source).toBe("unknown");
    const del = await callApi(other, "/api/v1/model-prices/acme-llm-1", { method: "DELETE" });
    expect(del.status).toBe(404);
    expect(del.body.error.code).toBe("not_found");
    // Its own price for the same model is its own.
    expect(
      (
        await callApi(other, "/api/v1/model-prices/acme-llm-1", {
          method: "PUT",
          body: { inputPerMillionUsd: 99, outputPerMillionUsd: 99 },
        })
      ).status,
    ).toBe(200);
    expect((await callApi(app, "/api/v1/model-prices?model=acme-llm-1")).body).toMatchObject({ source: "custom", inputPerMillionUsd: 10 });
    expect((await record("acme-llm-1", USAGE)).body.costNanos).toBe(String((1234 + 567) * 10_000));
    const theirs = await callApi(other, "/sdk/record", { body: { userId: "u1", model: "acme-llm-1", usage: MINI_USAGE } });
    expect(theirs.body.costNanos).toBe(String(1500 * 99_000));
    // A read-only key may resolve and list, never set or delete.
    const session = await signUpWithKey(app.baseUrl, "reader@example.com", ["read"]);
    const reader = { baseUrl: app.baseUrl, apiKey: session.apiKey };
    expect((await callApi(reader, "/api/v1/model-prices")).status).toBe(200);
    expect((await callApi(reader, "/api/v1/model-prices/acme-llm-1", { method: "PUT", body: PRICE })).status).toBe(403);
    expect((await callApi(reader, "/api/v1/model-prices/acme-llm-1", { method: "DELETE" })).status).toBe(403);
  });

  it("writes an audit row for each set and delete, with the model and its prices", async () => {
    const ws = (await callApi(app, "/api/v1/workspace")).body.id as string;
    const rows = await runSql(
      app,
      `select action, target_type, target_id, actor_type, data from audit_logs
       where workspace_id = '${ws}' and action like 'model_price.%' order by created_at, id`,
    );
    expect(rows.map((r) => [r.action, r.target_id])).toEqual([
      ["model_price.set", "acme-llm-1"],
      ["model_price.set", "acme-llm-1"],
      ["model_price.set", "gpt-4o-mini"],
      ["model_price.delete", "gpt-4o-mini"],
      ["model_price.set", "acme/ft-7"],
      ["model_price.delete", "acme/ft-7"],
    ]);
    expect(rows.every((r) => r.target_type === "model_price" && r.actor_type === "api_key")).toBe(true);
    expect(rows[0]!.data).toMatchObject({ model: "acme-llm-1", ...PRICE });
    expect(rows[3]!.data).toMatchObject({ model: "gpt-4o-mini", inputPerMillionUsd: 1, outputPerMillionUsd: 2 });
  });
});
