"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { signOut } from "next-auth/react";
import type { ReactNode } from "react";
import { Icon, Logo, type IconName } from "./icons";
import { QuotaBanner } from "./quota-banner";
import { Badge, cx } from "./ui";
import { VerifyEmailBanner } from "./verify-email-banner";
import { WorkspaceProvider, type WorkspaceInfo } from "./workspace-context";

const NAV: Array<{ href: string; label: string; icon: IconName }> = [
  { href: "", label: "Overview", icon: "overview" },
  { href: "/users", label: "End users", icon: "users" },
  { href: "/cohorts", label: "Cohorts", icon: "cohorts" },
  { href: "/features", label: "Features", icon: "features" },
  { href: "/breakdown", label: "Breakdown", icon: "breakdown" },
  { href: "/logs", label: "Logs", icon: "logs" },
  { href: "/rules", label: "Rules", icon: "rules" },
  { href: "/blocklist", label: "Blocklist", icon: "blocklist" },
  { href: "/labels", label: "Labels & policies", icon: "labels" },
  { href: "/alerts", label: "Alerts", icon: "alerts" },
  { href: "/api-keys", label: "API keys", icon: "keys" },
  { href: "/billing", label: "Billing", icon: "billing" },
  { href: "/audit-log", label: "Audit log", icon: "audit" },
  { href: "/settings", label: "Settings", icon: "settings" },
];

/** The dashboard frame: sidebar (workspace switcher, navigation, account) and the page. */
export function AppShell({
  workspace,
  workspaces,
  email,
  children,
}: {
  workspace: WorkspaceInfo;
  workspaces: Array<{ id: string; name: string; role: string }>;
  email: string | null;
  children: ReactNode;
}) {
  const pathname = usePathname();
  const router = useRouter();
  const base = `/w/${workspace.id}`;
  const isActive = (href: string) => (href === "" ? pathname === base : pathname.startsWith(base + href));
  return (
    <WorkspaceProvider value={workspace}>
      <div className="min-h-screen lg:flex">
        <aside className="border-b border-slate-200 bg-white lg:w-60 lg:shrink-0 lg:border-r lg:border-b-0">
          <div className="lg:sticky lg:top-0 lg:flex lg:h-screen lg:flex-col">
            <div className="flex items-center gap-2 px-5 py-4">
              <Logo />
              <Link href={base} className="text-lg font-semibold tracking-tight text-slate-900">
                Tokenist
              </Link>
            </div>
            <div className="px-3 pb-3">
              <label className="sr-only" htmlFor="workspace-switcher">
                Workspace
              </label>
              <select
                id="workspace-switcher"
                value={workspace.id}
                onChange={(e) => router.push(`/w/${e.target.value}`)}
                className="w-full rounded-lg border-0 bg-slate-50 px-3 py-2 text-sm font-medium text-slate-800 ring-1 ring-slate-200 focus:ring-2 focus:ring-indigo-600"
              >
                {workspaces.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
              </select>
              <div className="mt-2 flex items-center gap-1.5 px-1">
                <Badge color="indigo">{workspace.plan}</Badge>
                <Badge color={workspace.role === "viewer" ? "amber" : "slate"}>{workspace.role}</Badge>
              </div>
            </div>
            {/* On a short window the links scroll, and the account footer (Docs, Sign out) stays in view. */}
            <nav
              className="flex gap-1 overflow-x-auto px-3 pb-3 lg:min-h-0 lg:flex-1 lg:flex-col lg:overflow-x-visible lg:overflow-y-auto"
              aria-label="Dashboard"
            >
              {NAV.map((item) => (
                <Link
                  key={item.label}
                  href={base + item.href}
                  aria-current={isActive(item.href) ? "page" : undefined}
                  className={cx(
                    "flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium whitespace-nowrap transition",
                    isActive(item.href) ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900",
                  )}
                >
                  <Icon name={item.icon} className={cx("h-5 w-5", isActive(item.href) ? "text-indigo-600" : "text-slate-400")} />
                  {item.label}
                </Link>
              ))}
            </nav>
            <div className="border-t border-slate-100 px-3 py-3">
              <Link href="/docs" className="flex items-center gap-3 rounded-lg px-3 py-2 text-sm text-slate-600 hover:bg-slate-50">
                <Icon name="docs" className="h-5 w-5 text-slate-400" /> Docs
              </Link>
              <div className="mt-1 flex items-center justify-between gap-2 px-3 py-2">
                <span className="truncate text-xs text-slate-500" title={email ?? undefined}>
                  {email}
                </span>
                <button
                  type="button"
                  onClick={async () => {
                    // Redirect ourselves: next-auth would build the URL from NEXTAUTH_URL, which may name another host.
                    await signOut({ redirect: false });
                    window.location.assign("/sign-in");
                  }}
                  className="rounded-md p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
                  aria-label="Sign out"
                  title="Sign out"
                >
                  <Icon name="signOut" className="h-4 w-4" />
                </button>
              </div>
            </div>
          </div>
        </aside>
        <main className="min-w-0 flex-1">
          <QuotaBanner />
          <VerifyEmailBanner />
          <div className="mx-auto max-w-7xl px-4 py-8 sm:px-6 lg:px-8">{children}</div>
        </main>
      </div>
    </WorkspaceProvider>
  );
}
