import Link from "next/link";
import { Logo } from "@/app/_components/icons";
import { Providers } from "@/app/_components/providers";

export const dynamic = "force-dynamic";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <Providers>
      <div className="flex min-h-screen flex-col items-center justify-center bg-gradient-to-b from-slate-50 to-indigo-50/40 px-4 py-12">
        <Link href="/" className="mb-8 flex items-center gap-2 text-xl font-semibold tracking-tight text-slate-900">
          <Logo className="h-8 w-8" /> Tokenist
        </Link>
        <div className="w-full max-w-sm rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">{children}</div>
      </div>
    </Providers>
  );
}
