import { expect, test } from "../helpers/e2e";

// The page fixture of helpers/e2e.ts waits on every load until no part React streamed into the page
// is still hidden waiting for its reveal. A page that holds such a part for a second, with a copy of its
// text already in place (what a workspace page looks like while React's throttled reveal is pending):
// right after `goto` a locator would match both copies and fail strict mode.
const STREAMING_PAGE = `<!doctype html><html><body><main><p id="card">Single sign-on</p></main>
<div hidden id="S:0"><p id="card">Single sign-on</p></div>
<script>setTimeout(() => document.getElementById("S:0").remove(), 1000)</script></body></html>`;

test("a page's streamed parts are revealed before a spec reads it", async ({ page }) => {
  await page.route("**/streamed-fixture", (route) => route.fulfill({ contentType: "text/html", body: STREAMING_PAGE }));
  await page.goto("/streamed-fixture");
  // Read at once, not with an assertion that waits: the load itself must have waited.
  expect(await page.evaluate(() => document.querySelectorAll('div[hidden][id^="S:"]').length)).toBe(0);
  await expect(page.locator("#card")).toBeVisible();
  await expect(page.getByText("Single sign-on")).toHaveText("Single sign-on");
});
