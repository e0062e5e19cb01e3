import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "Tokenist — guardrails for LLM products",
  description: "Per-user metering of tokens and cost, limits, blocklists and intent detection for LLM products.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
