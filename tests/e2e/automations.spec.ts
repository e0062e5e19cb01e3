import type { APIRequestContext, Locator, Page } from "@playwright/test";
import { signUpWithKey } from "../helpers/session";
import { expect, nav, shot, signIn, statNumber, test, withSmtpReceiver } from "../helpers/e2e";

/**
 * Automations you can trust, as a person checks them, in a workspace of its own: set a custom
 * price and watch the Overview's count of models needing a price fall; create a shadow rule
 * (previewed on the last 7 days first), drive checks past it and read who it would have blocked
 * while nobody was; find both changes in the audit log. Screenshots of each step.
 */
const run = Date.now().toString(36);
const owner = { email: `automations-${run}@example.com`, password: "correct horse battery" };
const MODEL = `acme-auto-${run}`;
const BUYER = `buyer_${run}`;
const RULE = `Shadow: 2 requests a day ${run}`;
let apiKey = "";
let sent = 0;

async function record(request: APIRequestContext, model: string) {
  const res = await request.post("/sdk/record", {
    headers: { authorization: `Bearer ${apiKey}` },
    data: { userId: BUYER, model, requestId: `auto-${run}-${sent++}`, usage: { prompt_tokens: 1000, completion_tokens: 200 } },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** `count` calls of one end user as the SDK makes them: check, then record; a shadow rule never denies, so each is allowed. */
async function call(request: APIRequestContext, userId: string, count: number) {
  const headers = { authorization: `Bearer ${apiKey}` };
  for (let i = 0; i < count; i++) {
    const res = await request.post("/sdk/check", { headers, data: { userId, model: "gpt-4o-mini" } });
    expect(res.status(), await res.text()).toBe(200);
    const answer = await res.json();
    expect(answer.allowed).toBe(true);
    const rec = await request.post("/sdk/record", {
      headers,
      data: { userId, checkId: answer.checkId, requestId: `auto-${run}-${sent++}`, usage: { prompt_tokens: 100, completion_tokens: 20 } },
    });
    expect(rec.status(), await rec.text()).toBe(200);
  }
}

/** The number a figure of a rule's record or preview shows. */
const figure = (scope: Page | Locator, testId: string) => scope.getByTestId(testId).locator("p").nth(1);

// Sign-up mails a verification link: a local SMTP receiver takes it.
withSmtpReceiver();

test("price an unpriced model, shadow a rule and read what it would have blocked, find both in the audit log", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const needing = page.getByTestId("models-needing-price");

  await test.step("two calls to an unknown model, one to gpt-4o-mini: the Overview says 1 model needs a price", async () => {
    apiKey = (await signUpWithKey(baseURL!, owner.email)).apiKey;
    await record(request, MODEL);
    await record(request, MODEL);
    await record(request, "gpt-4o-mini");
    await signIn(page, owner.email, owner.password);
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(needing).toHaveText("1 model needs a price");
    await expect(needing).toHaveAttribute("data-count", "1");
    expect(await statNumber(page, "stat-unpriced-requests")).toBe(2);
    await shot(page, "automations-1-unpriced");
  });

  await test.step("set its price in Settings", async () => {
    await page.getByRole("link", { name: `Set price for ${MODEL}` }).click();
    const dialog = page.getByRole("dialog", { name: `Price of ${MODEL}` });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel("Input, USD per 1M tokens", { exact: true }).fill("2.5");
    await dialog.getByLabel("Output, USD per 1M tokens", { exact: true }).fill("10");
    await dialog.getByRole("button", { name: "Save price" }).click();
    await expect(dialog).toHaveCount(0);
    await expect(page.locator(`tr[data-model="${MODEL}"]`)).toContainText("$2.5");
    await shot(page, "automations-2-price-set");
  });

  await test.step("back on the Overview the count has fallen to none; the earlier calls stay unpriced", async () => {
    await nav(page, "Overview");
    await expect(needing).toHaveAttribute("data-count", "0");
    await expect(needing).toHaveText("All priced now");
    await expect(page.getByRole("list", { name: "Unpriced models" }).getByTestId("priced-now")).toBeVisible();
    expect(await statNumber(page, "stat-unpriced-requests")).toBe(2);
    await shot(page, "automations-3-priced");
  });

  const dialog = page.getByRole("dialog", { name: "New rule" });
  await test.step("a new shadow rule, previewed on the last 7 days before saving", async () => {
    await nav(page, "Rules");
    await page.getByRole("button", { name: "New rule" }).click();
    await dialog.getByLabel("Name").fill(RULE);
    await dialog.getByLabel("Limit").fill("3");
    await dialog.getByRole("radio", { name: "Shadow" }).check();
    // The buyer's three calls today: a limit of 3 a day denies none of them...
    await dialog.getByRole("button", { name: "Preview last 7 days" }).click();
    await expect(dialog.getByTestId("preview-empty")).toHaveText("Over 3 checks, this rule would have denied nothing in the last 7 days.");
    // ...a limit of 2 would have denied the third.
    await dialog.getByLabel("Limit").fill("2");
    await expect(dialog.getByTestId("rule-preview")).toContainText("The form has changed since this preview");
    await dialog.getByRole("button", { name: "Preview last 7 days" }).click();
    await expect(figure(dialog, "shadow-would-deny")).toHaveText("1");
    await expect(figure(dialog, "shadow-checks")).toHaveText("3");
    await expect(figure(dialog, "shadow-end-users")).toHaveText("1");
    await expect(dialog.getByTestId("shadow-user")).toHaveCount(1);
    await expect(dialog.getByTestId("shadow-user")).toContainText(BUYER);
    await dialog.getByTestId("rule-preview").scrollIntoViewIfNeeded(); // the dialog scrolls, not the page
    await shot(page, "automations-4-rule-preview");
    await dialog.getByRole("button", { name: "Create rule" }).click();
    await expect(dialog).toHaveCount(0);
    const row = page.getByTestId("rule-row").filter({ hasText: RULE });
    await expect(row).toContainText("Shadow");
    await shot(page, "automations-5-rules");
  });

  await test.step("checks past its limit: everyone is allowed, and the rule's page lists who it would have blocked", async () => {
    // Limit 2 a day each: heavy's 3rd–6th checks (4), medium's 3rd (1) would have been denied, light's none.
    await call(request, `heavy_${run}`, 6);
    await call(request, `medium_${run}`, 3);
    await call(request, `light_${run}`, 2);
    await page.getByRole("link", { name: `What ${RULE} would have blocked` }).click();
    await expect(page.getByRole("heading", { level: 1, name: RULE })).toBeVisible();
    await expect(figure(page, "shadow-checks")).toHaveText("11");
    await expect(figure(page, "shadow-would-deny")).toHaveText("5");
    await expect(figure(page, "shadow-end-users")).toHaveText("2");
    const users = page.getByTestId("shadow-user");
    await expect(users).toHaveCount(2);
    await expect(users.nth(0)).toContainText(`heavy_${run}`);
    await expect(users.nth(0)).toContainText("4 would deny");
    await expect(users.nth(1)).toContainText(`medium_${run}`);
    await expect(users.nth(1)).toContainText("1 would deny");
    await expect(page.getByRole("button", { name: "Switch to enforce" })).toBeVisible();
    await shot(page, "automations-6-would-have-blocked");
    await users
      .nth(0)
      .getByRole("link", { name: `heavy_${run}` })
      .click();
    await expect(page.getByRole("heading", { level: 1, name: `heavy_${run}` })).toBeVisible();
    // Its six calls were all let through: the shadow rule blocked nobody.
    await expect.poll(() => statNumber(page, "stat-requests-all-time-")).toBe(6);
    // Assign the heavy user a tier by hand (what a set_tier rule does when crossed), then clear it.
    const tierCard = page.getByTestId("tier-card");
    await tierCard.getByLabel("Assign tier").fill("pro");
    await tierCard.getByRole("button", { name: "Assign" }).click();
    await expect(tierCard).toContainText("assigned");
    await expect(tierCard.getByText("pro", { exact: true })).toBeVisible();
    await tierCard.getByRole("button", { name: "Clear" }).click();
    await expect(tierCard.getByRole("button", { name: "Clear" })).toHaveCount(0);
    await page.goBack();
    await expect(page.getByRole("heading", { level: 1, name: RULE })).toBeVisible();
  });

  await test.step("the audit log holds both changes, each found with a filter", async () => {
    const ruleId = /\/rules\/(rul_[^/?#]+)/.exec(page.url())?.[1];
    expect(ruleId).toMatch(/^rul_/);
    await nav(page, "Audit log");
    const rows = page.getByTestId("audit-row");
    await page.getByLabel("Action").selectOption("model_price.set");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(MODEL);
    await expect(rows.first()).toContainText(owner.email);
    await shot(page, "automations-7-audit-price");
    await page.getByLabel("Action").selectOption("rule.create");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(ruleId!);
    await expect(rows.first()).toContainText(owner.email);
    await rows.first().getByRole("button", { name: "Show" }).click();
    await expect(page.locator("pre")).toContainText('"mode": "shadow"');
    await shot(page, "automations-8-audit-rule");
  });
});
