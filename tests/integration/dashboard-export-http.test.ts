import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { Session, signUpWithKey } from "../helpers/session";

/** CSV downloads over real HTTP: the session decides, through the same tRPC ladder. */
describe("CSV export routes", () => {
  let app: RunningApp;
  let a: Awaited<ReturnType<typeof signUpWithKey>>;
  let b: Awaited<ReturnType<typeof signUpWithKey>>;
  beforeAll(async () => {
    app = await startApp();
    a = await signUpWithKey(app.baseUrl, "export-a@example.com");
    b = await signUpWithKey(app.baseUrl, "export-b@example.com");
    // On the hour: ann's two calls share a day (one line of the per-day export) whatever the time of the run.
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    for (const [i, userId] of ["ann", "ann", "ben"].entries()) {
      const res = await callApi({ baseUrl: app.baseUrl, apiKey: a.apiKey }, "/sdk/record", {
        body: {
          userId,
          feature: "chat",
          model: "gpt-4o-mini",
          requestId: `x${i}`,
          timestamp: new Date(hour + i * 1_000).toISOString(),
          usage: { prompt_tokens: 1000, completion_tokens: 100 },
        },
      });
      expect(res.status).toBe(200);
    }
  }, 180_000);
  afterAll(() => app?.dispose());

  const range = () => `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;

  it("events of the current filter, as an attachment", async () => {
    const res = await a.session.fetch(`/api/export/events?workspaceId=${a.workspaceId}&userId=ann&${range()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="tokenist-events-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await res.text()).trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.includes(",ann,"))).toBe(true);
  });

  it("usage by user per day", async () => {
    const res = await a.session.fetch(`/api/export/usage?workspaceId=${a.workspaceId}&dimension=user&interval=day&${range()}`);
    expect(res.status).toBe(200);
    const csv = await res.text();
    expect(csv).toMatch(/^time,dimension,key,requests,/);
    expect(csv).toMatch(/,user,ann,2,/);
    expect(csv).toMatch(/,user,ben,1,/);
  });

  it("no session → 401; another workspace → 404; bad input → 400", async () => {
    const anonymous = new Session(app.baseUrl);
    expect((await anonymous.fetch(`/api/export/events?workspaceId=${a.workspaceId}`)).status).toBe(401);
    const foreign = await b.session.fetch(`/api/export/events?workspaceId=${a.workspaceId}`);
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain("ann");
    expect((await a.session.fetch(`/api/export/usage?workspaceId=${a.workspaceId}&from=yesterday`)).status).toBe(400);
  });
});
