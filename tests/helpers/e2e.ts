import { expect, test, type Page } from "@playwright/test";
import { E2E_SMTP_PORT } from "../../playwright.config";
import { startSmtpServer } from "./receivers";

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
