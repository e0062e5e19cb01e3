import Link from "next/link";
import { ContactSalesButton } from "./contact-sales";

// The plans of DESIGN.md ("Billing: Stripe"): requests = tracked SDK calls per calendar month.
const PLANS = [
  {
    name: "Free",
    price: "$0",
    period: "",
    included: "25,000",
    overage: "none: hard cap",
    extras: [
      "Full enforcement: rate limits and blocklist",
      "AI intent labels (jailbreak, ToS breach)",
      "Basic dashboard and CSV export",
      "Community support",
      "No credit card required",
    ],
    cta: "Start free",
    highlight: false,
  },
  {
    name: "Starter",
    price: "$49",
    period: "/mo",
    included: "150,000",
    overage: "$0.50 / 1,000",
    extras: [
      "Everything in Free",
      "E-mail and Slack threshold alerts",
      "Per-feature cost attribution",
      "30-day log retention",
      "E-mail support",
    ],
    cta: "Start free",
    highlight: true,
  },
  {
    name: "Growth",
    price: "$199",
    period: "/mo",
    included: "750,000",
    overage: "$0.30 / 1,000",
    extras: [
      "Everything in Starter",
      "Webhook automations (e.g. auto-block on intent label)",
      "Cohort analysis and user segmentation",
      "90-day log retention",
      "Priority support",
    ],
    cta: "Start free",
    highlight: false,
  },
  {
    name: "Enterprise",
    price: "Custom",
    period: "",
    included: "1M+, custom",
    overage: "Custom",
    extras: [
      "Everything in Growth",
      "Custom request volume",
      "Custom (extended) retention",
      "SSO + RBAC",
      "Dedicated SLA and Slack channel",
      "Custom integrations",
      "On-prem option",
    ],
    cta: "Contact us",
    highlight: false,
  },
] as const;

const ctaClass = (highlight: boolean) =>
  highlight ? "bg-indigo-600 text-white hover:bg-indigo-500" : "bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50";

export function PlansTable() {
  return (
    <div className="grid gap-6 md:grid-cols-2 lg:grid-cols-4" data-testid="plans">
      {PLANS.map((p) => (
        <div
          key={p.name}
          className={`flex flex-col rounded-2xl border p-6 ${p.highlight ? "border-indigo-300 bg-indigo-50/40 shadow-md ring-1 ring-indigo-200" : "border-slate-200 bg-white shadow-sm"}`}
        >
          <div className="flex items-center justify-between gap-2">
            <h3 className="text-base font-semibold text-slate-900">{p.name}</h3>
            {p.highlight && <span className="rounded-full bg-indigo-600 px-2 py-0.5 text-xs font-medium text-white">Most popular</span>}
          </div>
          <p className="mt-3">
            <span className="text-3xl font-bold tracking-tight text-slate-900">{p.price}</span>
            <span className="text-sm text-slate-500">{p.period}</span>
          </p>
          <dl className="mt-4 space-y-1 text-sm">
            <div className="flex justify-between">
              <dt className="text-slate-500">Requests / month</dt>
              <dd className="font-medium tabular-nums text-slate-900">{p.included}</dd>
            </div>
            <div className="flex justify-between">
              <dt className="text-slate-500">Overage</dt>
              <dd className="font-medium text-slate-900">{p.overage}</dd>
            </div>
          </dl>
          <ul className="mt-5 flex-1 space-y-2 text-sm text-slate-600">
            {p.extras.map((x) => (
              <li key={x} className="flex gap-2">
                <span className="text-indigo-600" aria-hidden>
                  ✓
                </span>{" "}
                {x}
              </li>
            ))}
          </ul>
          {p.name === "Enterprise" ? (
            <ContactSalesButton className={`mt-6 rounded-lg px-3 py-2 text-center text-sm font-medium ${ctaClass(p.highlight)}`} />
          ) : (
            <Link href="/sign-up" className={`mt-6 rounded-lg px-3 py-2 text-center text-sm font-medium ${ctaClass(p.highlight)}`}>
              {p.cta}
            </Link>
          )}
        </div>
      ))}
    </div>
  );
}
