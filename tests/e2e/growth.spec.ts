import fs from "node:fs";
import type { APIRequestContext } from "@playwright/test";
import { signUpWithKey } from "../helpers/session";
import { expect, nav, shot, signIn, statNumber, test, withSmtpReceiver } from "../helpers/e2e";

/**
 * Growth analytics as a person uses them, in Debian's Chromium against the built app, in a
 * workspace of its own: create a segment on End users, open its cohort heatmap, download its
 * breakdown as CSV, and watch the Overview count calls as they arrive. Screenshots of each.
 */
const run = Date.now().toString(36);
const owner = { email: `growth-${run}@example.com`, password: "correct horse battery" };
const DAY = 86_400_000;
let apiKey = "";
let sent = 0;

async function record(request: APIRequestContext, userId: string, tier: string, feature: string, daysAgo: number) {
  const res = await request.post("/sdk/record", {
    headers: { authorization: `Bearer ${apiKey}` },
    data: {
      userId,
      tier,
      feature,
      model: "gpt-4o-mini",
      requestId: `growth-${run}-${sent++}`,
      timestamp: new Date(Date.now() - daysAgo * DAY - 60_000).toISOString(),
      usage: { prompt_tokens: 1000, completion_tokens: 200 },
    },
  });
  expect(res.status(), await res.text()).toBe(200);
}

// Sign-up mails a verification link: a local SMTP receiver takes it.
withSmtpReceiver();

test("create a segment, open its cohorts, export its breakdown, watch the Overview update", async ({ page, request, baseURL }) => {
  test.setTimeout(240_000);

  await test.step("a workspace with five weeks of traffic from pro and free end users", async () => {
    apiKey = (await signUpWithKey(baseURL!, owner.email)).apiKey;
    // Pro: p1 and p2 first seen 28 days ago and back 14 days ago and today; p3 first seen 14 days ago.
    // Free: f1 and f2 first seen 21 days ago, f2 back today.
    for (const [user, tier, feature, days] of [
      ["p1", "pro", "chat", 28],
      ["p1", "pro", "chat", 14],
      ["p1", "pro", "search", 0],
      ["p2", "pro", "chat", 28],
      ["p2", "pro", "chat", 0],
      ["p3", "pro", "search", 14],
      ["f1", "free", "chat", 21],
      ["f2", "free", "chat", 21],
      ["f2", "free", "chat", 0],
    ] as const) {
      await record(request, `${user}_${run}`, tier, feature, days);
    }
    await signIn(page, owner.email, owner.password);
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  });

  await test.step("End users: a new segment, its live count, its members", async () => {
    await nav(page, "End users");
    await page.getByRole("button", { name: "New segment" }).click();
    const dialog = page.getByRole("dialog", { name: "New segment" });
    await dialog.getByLabel("Name").fill("Pro users");
    await expect(dialog.getByTestId("segment-preview")).toContainText("5 end users match now");
    await dialog.getByLabel("Tier").fill("pro");
    await expect(dialog.getByTestId("segment-preview")).toContainText("3 end users match now");
    await shot(page, "growth-segment-form");
    await dialog.getByRole("button", { name: "Create segment" }).click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByLabel("Segment")).toHaveValue(/^seg_/);
    await expect(page.getByRole("link", { name: `p1_${run}` })).toBeVisible();
    await expect(page.getByRole("link", { name: `f1_${run}` })).toHaveCount(0);
    await expect(page.getByRole("row")).toHaveCount(4); // header + three pro users
    await shot(page, "growth-segment-members");
  });

  await test.step("Cohorts: the segment's weekly retention heatmap", async () => {
    await page.getByRole("link", { name: "Cohorts →" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Cohorts" })).toBeVisible();
    await expect(page.getByLabel("Segment")).toHaveValue(/^seg_/);
    const table = page.getByRole("table");
    await expect(table).toBeVisible();
    // Three pro users in two weekly cohorts (p1+p2, p3): the sizes shown add up to 3.
    const sizes = await table.getByTestId("cohort-size").allTextContents();
    expect(sizes.map((s) => Number(s.replace(/[^0-9]/g, ""))).reduce((a, b) => a + b, 0)).toBe(3);
    await shot(page, "growth-cohorts");
  });

  await test.step("Breakdown: the segment by user and feature, as CSV", async () => {
    await nav(page, "Breakdown");
    await page.getByLabel("Segment").selectOption({ label: "Pro users" });
    await page.getByRole("button", { name: "Feature" }).click();
    await expect(page.getByRole("cell", { name: `p3_${run}` })).toBeVisible();
    await expect(page.getByRole("cell", { name: `f1_${run}` })).toHaveCount(0);
    await shot(page, "growth-breakdown");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
    const csv = fs
      .readFileSync((await download.path())!, "utf8")
      .trim()
      .split("\n");
    const rows = csv.slice(1).map((line) => line.split(",").slice(0, 2).join(" "));
    // p1 used chat and search; p2 chat; p3 search: four (user, feature) rows, free users absent.
    expect(rows.sort()).toEqual([`p1_${run} chat`, `p1_${run} search`, `p2_${run} chat`, `p3_${run} search`].sort());
  });

  await test.step("Logs: the segment's events only", async () => {
    await nav(page, "Logs");
    await expect(page.getByTestId("event-row")).toHaveCount(9);
    await page.getByLabel("Segment").selectOption({ label: "Pro users" });
    // p1 three calls, p2 two, p3 one.
    await expect(page.getByTestId("event-row")).toHaveCount(6);
    await expect(page.getByTestId("event-row").filter({ hasText: `f1_${run}` })).toHaveCount(0);
    await shot(page, "growth-logs-segment");
  });

  await test.step("Overview: calls recorded while it is open appear without a reload", async () => {
    await nav(page, "Overview");
    await expect(page.locator('[role="status"]')).toHaveCount(0, { timeout: 15_000 });
    const before = await statNumber(page, "stat-requests");
    expect(before).toBe(9);
    await page.evaluate(() => Object.assign(window, { __growthMark: true }));
    for (let i = 0; i < 3; i++) await record(request, `p3_${run}`, "pro", "chat", 0);
    await expect.poll(() => statNumber(page, "stat-requests"), { timeout: 30_000 }).toBe(before + 3);
    expect(await page.evaluate(() => (window as unknown as { __growthMark?: boolean }).__growthMark)).toBe(true);
    await shot(page, "growth-overview-live");
  });
});
