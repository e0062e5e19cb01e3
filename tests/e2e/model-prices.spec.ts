import type { APIRequestContext } from "@playwright/test";
import { signUpWithKey } from "../helpers/session";
import { expect, shot, signIn, statNumber, test, withSmtpReceiver } from "../helpers/e2e";

/**
 * Custom model prices as a person sets one, in a workspace of its own: calls to a model the
 * catalogue does not know show as unpriced on the Overview; its link leads to the price editor,
 * opened for that model; once the price is saved, later calls are priced (the cost grows) and
 * the unpriced count stops growing, on the live Overview without a reload.
 */
const run = Date.now().toString(36);
const owner = { email: `prices-${run}@example.com`, password: "correct horse battery" };
const MODEL = `acme-e2e-${run}`;
let apiKey = "";
let sent = 0;

async function record(request: APIRequestContext, model: string, count: number) {
  for (let i = 0; i < count; i++) {
    const res = await request.post("/sdk/record", {
      headers: { authorization: `Bearer ${apiKey}` },
      data: { userId: `buyer_${run}`, model, requestId: `prices-${run}-${sent++}`, usage: { prompt_tokens: 1000, completion_tokens: 200 } },
    });
    expect(res.status(), await res.text()).toBe(200);
  }
}

// Sign-up mails a verification link: a local SMTP receiver takes it.
withSmtpReceiver();

test("set a custom price from the Overview's unpriced count and watch later calls get priced", async ({ page, request, baseURL }) => {
  test.setTimeout(180_000);
  const cost = page.getByTestId("stat-cost").locator("p").nth(1);

  await test.step("three calls to an unknown model and one to gpt-4o-mini: the Overview counts 3 unpriced", async () => {
    apiKey = (await signUpWithKey(baseURL!, owner.email)).apiKey;
    await record(request, MODEL, 3);
    await record(request, "gpt-4o-mini", 1);
    await signIn(page, owner.email, owner.password);
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(page.getByTestId("stat-unpriced-requests").locator("p").nth(1)).toHaveText("3");
    // Only gpt-4o-mini is priced: 1,000 × $0.15/M + 200 × $0.60/M = $0.00027.
    await expect(cost).toHaveAttribute("title", "$0.00027");
    await expect(page.getByRole("list", { name: "Unpriced models" })).toContainText(MODEL);
    await shot(page, "prices-overview-unpriced");
  });

  await test.step("its Set price link opens the editor for that model; the preview says the catalogue has no price", async () => {
    await page.getByRole("link", { name: `Set price for ${MODEL}` }).click();
    await page.waitForURL(/\/settings\?model=/);
    const dialog = page.getByRole("dialog", { name: `Price of ${MODEL}` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel(/^Model/)).toHaveValue(MODEL);
    await expect(dialog.getByTestId("price-preview")).toContainText("unknown");
    await dialog.getByLabel("Input, USD per 1M tokens", { exact: true }).fill("2.5");
    await dialog.getByLabel("Output, USD per 1M tokens", { exact: true }).fill("10");
    await shot(page, "prices-editor");
    await dialog.getByRole("button", { name: "Save price" }).click();
    await expect(dialog).toHaveCount(0);
    const row = page.locator(`tr[data-model="${MODEL}"]`);
    await expect(row).toContainText("$2.5");
    await expect(row).toContainText("$10");
    await shot(page, "prices-settings");
  });

  await test.step("three more calls: the Overview's cost grows by their exact price, the unpriced count stays 3", async () => {
    await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Overview", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(cost).toHaveAttribute("title", "$0.00027");
    await record(request, MODEL, 3);
    // The live Overview refetches every 5 s: no reload. Each call: 1,000 × $2.5/M + 200 × $10/M = $0.0045.
    await expect.poll(() => statNumber(page, "stat-requests"), { timeout: 30_000 }).toBe(7);
    await expect(cost).toHaveAttribute("title", "$0.01377");
    await expect(cost).toHaveText("$0.0138");
    expect(await statNumber(page, "stat-unpriced-requests")).toBe(3);
    // The model is still listed for its three earlier calls, now marked as priced.
    await expect(page.getByRole("list", { name: "Unpriced models" }).getByTestId("priced-now")).toBeVisible();
    await shot(page, "prices-overview-priced");
  });
});
