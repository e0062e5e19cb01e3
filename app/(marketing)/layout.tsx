import Link from "next/link";
import { Logo } from "@/app/_components/icons";

export default function MarketingLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-screen bg-white">
      <header className="sticky top-0 z-40 border-b border-slate-100 bg-white/85 backdrop-blur">
        <div className="mx-auto flex max-w-6xl items-center justify-between px-6 py-3.5">
          <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight text-slate-900">
            <Logo /> Tokenist
          </Link>
          <nav className="flex items-center gap-1 text-sm font-medium text-slate-600 sm:gap-4">
            <Link href="/#how" className="hidden rounded-md px-2 py-1 hover:text-slate-900 sm:block">
              How it works
            </Link>
            <Link href="/#pricing" className="hidden rounded-md px-2 py-1 hover:text-slate-900 sm:block">
              Pricing
            </Link>
            <Link href="/docs" className="rounded-md px-2 py-1 hover:text-slate-900">
              Docs
            </Link>
            <Link href="/sign-in" className="rounded-md px-2 py-1 hover:text-slate-900">
              Sign in
            </Link>
            <Link href="/sign-up" className="rounded-lg bg-indigo-600 px-3.5 py-2 text-white shadow-sm hover:bg-indigo-500">
              Start free
            </Link>
          </nav>
        </div>
      </header>
      {children}
      <footer className="border-t border-slate-100 py-10 text-center text-sm text-slate-500">
        <p>Tokenist · guardrails for LLM products · runs as SaaS or self-hosted with one command</p>
        <p className="mt-2 space-x-4">
          <Link href="/docs" className="hover:text-slate-900">
            Docs
          </Link>
          <Link href="/#pricing" className="hover:text-slate-900">
            Pricing
          </Link>
          <Link href="/sign-in" className="hover:text-slate-900">
            Sign in
          </Link>
        </p>
      </footer>
    </div>
  );
}
