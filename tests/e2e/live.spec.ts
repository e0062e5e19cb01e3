import type { APIRequestContext, Locator, Page } from "@playwright/test";
import { E2E_API_KEY } from "../../playwright.config";
import { SHOTS, expect, nav, shot, signIn, statNumber, test } from "../helpers/e2e";

/**
 * Live views: with the Overview, an end user's page and Logs open, traffic recorded through
 * /sdk/record shows up without a reload; the Logs tail puts new events on top, highlighted, and
 * paging to older events still works. The headless-start member and key of playwright.config.ts.
 */
const run = Date.now().toString(36);
const USER = `live_${run}`;
const TAIL_USER = `tail_${run}`;
let sent = 0;

async function record(request: APIRequestContext, userId: string, count = 1) {
  await Promise.all(
    Array.from({ length: count }, async () => {
      const res = await request.post("/sdk/record", {
        headers: { authorization: `Bearer ${E2E_API_KEY}` },
        data: {
          userId,
          feature: "live-chat",
          model: "gpt-4o-mini",
          requestId: `live-${run}-${sent++}`,
          usage: { prompt_tokens: 900, completion_tokens: 120 },
        },
      });
      expect(res.status()).toBe(200);
    }),
  );
}

async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((h) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  }, hidden);
}

/** A flag in the page's window: still there later means the page was never reloaded. */
async function markPage(page: Page) {
  await page.evaluate(() => Object.assign(window, { __liveMark: true }));
}
async function expectSamePage(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __liveMark?: boolean }).__liveMark)).toBe(true);
}

test("the Overview, an end user's page and Logs update on their own while traffic arrives", async ({ page, request }) => {
  test.setTimeout(180_000);
  // In the page shown (Next keeps the page it came from, hidden, beside it for a moment).
  const indicator: Locator = page.getByRole("main").getByTestId("live-indicator");

  await test.step("sign in; the Overview is live", async () => {
    await signIn(page, "owner@example.com", "correct horse battery");
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(indicator).toHaveAttribute("data-live", "on");
    await expect(indicator.getByTestId("live-updated-at")).toBeVisible();
  });

  let before = 0;
  await test.step("calls recorded while the Overview is open appear without a reload", async () => {
    await expect(page.locator('[role="status"]')).toHaveCount(0);
    before = await statNumber(page, "stat-requests");
    await markPage(page);
    await record(request, USER, 3);
    await expect.poll(() => statNumber(page, "stat-requests"), { timeout: 30_000 }).toBe(before + 3);
    await expect(page.getByTestId("active-users-card")).toBeVisible();
    await expect(page.getByTestId("active-users-total").locator("dd")).not.toHaveText("0");
    await expectSamePage(page);
    await shot(page, "live-overview");
  });

  await test.step("paused while the tab is hidden or by the toggle; it catches up when shown again", async () => {
    await setHidden(page, true);
    await expect(indicator).toContainText("Paused (tab hidden)");
    await expect(indicator).toHaveAttribute("data-live", "off");
    await record(request, USER);
    await setHidden(page, false);
    await expect(indicator).toHaveAttribute("data-live", "on");
    await expect.poll(() => statNumber(page, "stat-requests"), { timeout: 30_000 }).toBe(before + 4);
    await indicator.getByRole("button", { name: "Pause" }).click();
    await expect(indicator).toContainText("Paused");
    await expect(indicator).toHaveAttribute("data-live", "off");
    await shot(page, "live-overview-paused");
    await indicator.getByRole("button", { name: "Resume" }).click();
    await expect(indicator).toHaveAttribute("data-live", "on");
    await expectSamePage(page);
  });

  await test.step("an end user's page counts new calls as they arrive", async () => {
    await page.getByRole("link", { name: USER }).first().click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(USER);
    await expect(page.getByTestId("stat-requests-all-time-")).toContainText("4");
    await expect(indicator).toHaveAttribute("data-live", "on");
    await record(request, USER, 2);
    await expect(page.getByTestId("stat-requests-all-time-")).toContainText("6", { timeout: 30_000 });
    await expect(page.getByTestId("event-row")).toHaveCount(6);
    await expectSamePage(page);
    await shot(page, "live-end-user");
  });

  await test.step("Logs: a live tail puts new events on top, highlighted; older pages still page", async () => {
    await record(request, USER, 52); // more than a page of 50
    await nav(page, "Logs");
    const rows = page.getByTestId("event-row");
    await expect(rows).toHaveCount(50);
    await expect(indicator).toHaveAttribute("data-live", "on");
    await record(request, TAIL_USER);
    const fresh = page.locator('[data-testid="event-row"][data-new="true"]');
    await expect(rows.first()).toContainText(TAIL_USER, { timeout: 30_000 });
    await expect(rows).toHaveCount(51);
    await expect(fresh.filter({ hasText: TAIL_USER })).toHaveCount(1);
    await expect(page.getByText("1 new since it opened")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/live-logs-tail.png`, fullPage: true });
    await expectSamePage(page);

    // Older events: those below the 50 the page opened with (before + 4 + 2 + 52 then), untouched by the tail.
    await page.getByRole("button", { name: "Older" }).click();
    await expect(rows).toHaveCount(before + 58 - 50);
    await expect(rows.filter({ hasText: TAIL_USER })).toHaveCount(0);
    await expect(indicator).toContainText("Live tail on the newest page");
    await shot(page, "live-logs-older");
    await page.getByRole("button", { name: "Newer" }).click();
    await expect(rows.first()).toContainText(TAIL_USER);
    await expect(indicator).toHaveAttribute("data-live", "on");
  });
});
