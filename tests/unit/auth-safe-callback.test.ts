import { describe, expect, it } from "vitest";
import { safeCallback } from "@/app/_components/oauth-config";

describe("safeCallback", () => {
  const offsite = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example/login",
    "/\\evil.example",
    "/\\/evil.example",
    "//evil.example",
    "https://evil.example",
    "/..//evil.example",
    "/a/..//evil.example",
    "/%2e%2e//evil.example",
    "javascript:alert(1)",
    " /w",
    "/w\u007f",
    "",
  ];

  it("M12: tab, newline, backslash, // and absolute callbackUrls all fall back to a local path", () => {
    for (const v of offsite) {
      expect(safeCallback(v, "/"), JSON.stringify(v)).toBe("/");
      expect(safeCallback(v), JSON.stringify(v)).toBe("/w");
    }
    expect(safeCallback(undefined)).toBe("/w");
    expect(safeCallback(["//evil.example", "/w/ok"])).toBe("/w");
  });

  it("M12: whatever it returns resolves to the same origin, parsed the way a browser parses it", () => {
    for (const v of [...offsite, "/w/ws_1/settings?tab=keys#top", "/%2F/evil.example", "/w/../sign-in"]) {
      const out = safeCallback(v, "/");
      expect(new URL(out, "https://app.example").origin).toBe("https://app.example");
      expect(out.startsWith("//")).toBe(false);
    }
  });

  it("M12: keeps same-origin paths, query and fragment", () => {
    expect(safeCallback("/w/ws_1/settings?tab=keys#top")).toBe("/w/ws_1/settings?tab=keys#top");
    expect(safeCallback("/invite/abc")).toBe("/invite/abc");
    expect(safeCallback("/w/../sign-in")).toBe("/sign-in");
  });
});
