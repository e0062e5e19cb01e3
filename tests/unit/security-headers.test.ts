import { describe, expect, it } from "vitest";
import config from "@/next.config";

describe("security headers", () => {
  it("sets CSP with frame-ancestors, nosniff and no framing on every path; HSTS only behind TLS", async () => {
    delete process.env.TOKENIST_PUBLIC_URL;
    const [plain] = await config.headers!();
    const byKey = Object.fromEntries(plain!.headers.map((h) => [h.key, h.value]));
    expect(plain!.source).toBe("/:path*");
    expect(byKey["Content-Security-Policy"]).toContain("frame-ancestors 'none'");
    expect(byKey["X-Frame-Options"]).toBe("DENY");
    expect(byKey["X-Content-Type-Options"]).toBe("nosniff");
    expect(byKey["Strict-Transport-Security"]).toBeUndefined();
    process.env.TOKENIST_PUBLIC_URL = "https://tokenist.example.com";
    const [tls] = await config.headers!();
    expect(tls!.headers.find((h) => h.key === "Strict-Transport-Security")?.value).toMatch(/max-age=\d+/);
    delete process.env.TOKENIST_PUBLIC_URL;
  });
});
