import { E2E_API_KEY } from "../../playwright.config";
import { expect, test } from "../helpers/e2e";

test("landing page renders and the SDK door answers with the headless key", async ({ page, request }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Tokenist");
  await page.screenshot({ path: "test-results/screenshots/landing.png", fullPage: true });

  const check = await request.post("/sdk/check", {
    headers: { authorization: `Bearer ${E2E_API_KEY}` },
    data: { userId: "e2e_user" },
  });
  expect(check.status()).toBe(200);
  expect(await check.json()).toMatchObject({ allowed: true, reason: null, labels: ["safe"] });
});
