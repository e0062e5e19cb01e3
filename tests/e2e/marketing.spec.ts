import { expect, test } from "../helpers/e2e";

test("the landing page presents the product, the SDK flow, REST and the plans", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Tokenist");
  await expect(page.getByText("check → call → record")).toBeVisible();
  await expect(page.getByText("curl -s -X POST https://your-tokenist/sdk/check")).toBeVisible();
  const plans = page.getByTestId("plans");
  for (const name of ["Free", "Starter", "Growth", "Enterprise"]) await expect(plans.getByRole("heading", { name })).toBeVisible();
  await expect(plans).toContainText("25,000");
  await expect(plans).toContainText("$0.30 / 1,000");
  await page.screenshot({ path: "test-results/screenshots/landing-full.png", fullPage: true });
  await page.getByRole("link", { name: "Start free" }).first().click();
  await expect(page).toHaveURL(/\/sign-up$/);
});

test("the docs page has the SDK and REST quick starts", async ({ page }) => {
  await page.goto("/docs");
  await expect(page.getByRole("heading", { name: "2. SDK quick start (TypeScript)" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "3. REST quick start" })).toBeVisible();
  await expect(page.getByText("npm install @tokenist/guardrails")).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/docs.png", fullPage: true });
});

test("the dashboard needs a session; wrong passwords get one generic message", async ({ page }) => {
  await page.goto("/w");
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByLabel("E-mail").fill("owner@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toHaveText("E-mail or password is incorrect.");
  await page.screenshot({ path: "test-results/screenshots/sign-in.png", fullPage: true });
  // The headless-start member of playwright.config.ts signs in and lands in its workspace.
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/w\/ws_[0-9a-z]+$/);
  await expect(page.locator("#workspace-switcher")).toHaveValue(/ws_/);
  // Someone else's (or no) workspace: one answer for both.
  await page.goto("/w/ws_01abcdefghjkmnpqrstvwxyz12");
  await expect(page.getByText("Workspace not found")).toBeVisible();
  await page.getByRole("link", { name: "Back to your workspace" }).click();
  await page.waitForURL(/\/w\/ws_[0-9a-z]+$/);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
});
