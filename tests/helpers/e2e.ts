import { test as base, expect, type Page } from "@playwright/test";
import { E2E_SMTP_PORT } from "../../playwright.config";
import { startSmtpServer } from "./receivers";

/**
 * The workspace pages stream: React sends a suspended part of the page as a hidden
 * `<div hidden id="S:n">` and a script moves it into place, after the next frame or up to 300 ms
 * later (React 19 throttles these reveals). Until then the part's markup is in the document even
 * where the page already shows it, and a locator such as `getByText` or `#sso` can match twice (a
 * strict-mode failure, seen in CI). So every document load a spec waits for also waits until no
 * such part is left hidden.
 */
export function awaitingStreamedParts(page: Page): Page {
  for (const name of ["goto", "reload", "goBack", "goForward", "waitForURL"] as const) {
    const original = page[name].bind(page) as (...args: unknown[]) => Promise<unknown>;
    Object.assign(page, {
      [name]: async (...args: unknown[]) => {
        const result = await original(...args);
        await streamedPartsRevealed(page);
        return result;
      },
    });
  }
  return page;
}

/** Resolves once no part React streamed into the page still waits hidden for its reveal. */
async function streamedPartsRevealed(page: Page) {
  await page.waitForFunction(() => !document.querySelector('div[hidden][id^="S:"]'));
}

/** Playwright's `test`, with the page waiting for streamed parts on every load (above). */
export const test = base.extend({
  page: async ({ page }, use) => {
    await use(awaitingStreamedParts(page));
  },
});
export { expect };

/** Where every Playwright walk writes its screenshots. */
export const SHOTS = "test-results/screenshots";

/** A full-page screenshot once the page has settled: no request in flight, no skeleton left. */
export async function shot(page: Page, name: string) {
  await page.waitForLoadState("networkidle");
  await expect(page.locator('[role="status"]')).toHaveCount(0, { timeout: 15_000 }); // no skeletons left
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky sidebar is drawn where the page was scrolled
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Follow a sidebar link and wait for its page's heading. */
export async function nav(page: Page, name: string) {
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

/** The number a Stat card shows ("1,234" → 1234); 0 while the page says there is no traffic. */
export async function statNumber(page: Page, testId: string) {
  const stat = page.getByTestId(testId);
  if ((await stat.count()) === 0) return 0;
  return Number(((await stat.locator("p").nth(1).textContent()) ?? "").replace(/[^0-9]/g, ""));
}

/** Sign in through the form and land in the member's workspace. */
export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/w\/ws_[0-9a-z]+$/);
}

/**
 * A local SMTP receiver for the spec (playwright.config.ts points SMTP_URL at it): sign-up mails
 * a verification link. Call at the top of a spec file.
 */
export function withSmtpReceiver() {
  const holder: { smtp?: Awaited<ReturnType<typeof startSmtpServer>> } = {};
  test.beforeAll(async () => {
    holder.smtp = await startSmtpServer(E2E_SMTP_PORT);
  });
  test.afterAll(() => holder.smtp?.close());
  return holder;
}
