import type { NextConfig } from "next";

const config: NextConfig = {
  // NEXT_DIST_DIR lets parallel work trees or test runs keep separate builds (default .next).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // PGlite ships WASM and data files that must be loaded from node_modules, not bundled.
  // rate-limiter-flexible loads drizzle-orm by a computed import(), which a bundle cannot resolve.
  serverExternalPackages: ["@electric-sql/pglite", "@pydantic/genai-prices", "nodemailer", "rate-limiter-flexible"],
  allowedDevOrigins: ["127.0.0.1"],
  poweredByHeader: false,
  // Type-checking runs as its own step (`npm run typecheck`, part of `npm test`):
  // TypeScript 7 is the native compiler and has no JS API for next build to call.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    const https = (process.env.TOKENIST_PUBLIC_URL ?? "").startsWith("https://");
    const security = [
      // Next.js inlines its bootstrap scripts and styles; everything else is same-origin.
      {
        key: "Content-Security-Policy",
        value:
          "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
          "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
      },
      { key: "X-Frame-Options", value: "DENY" },
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
      { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
      ...(https ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
    ];
    return [{ source: "/:path*", headers: security }];
  },
};

export default config;
