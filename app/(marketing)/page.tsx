import Link from "next/link";
import { Icon, type IconName } from "@/app/_components/icons";
import { CodeBlock } from "@/app/_components/marketing/code-block";
import { PlansTable } from "@/app/_components/marketing/plans-table";

const CHECK_RECORD = `import OpenAI from "openai";
import { tokenist } from "@tokenist/guardrails";

tokenist.init({ apiKey: process.env.TOKENIST_API_KEY });
const openai = new OpenAI();

// 1. check: may this end user make this call?
const decision = await tokenist.check({ userId: "user_abc123", feature: "support-bot" });
if (!decision.allowed) return reply(decision.message);

// 2. call your model as usual
const completion = await openai.chat.completions.create({ model: "gpt-4o-mini", messages });

// 3. record: exact tokens and cost, per user, org, feature, model
await tokenist.record({ userId: "user_abc123", feature: "support-bot", response: completion });`;

const CURL = `curl -s -X POST https://your-tokenist/sdk/check \\
  -H "Authorization: Bearer $TOKENIST_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"userId":"user_abc123","feature":"support-bot","model":"gpt-4o"}'

{"allowed":true,"labels":["safe"],"reason":null,"message":null,
 "retryAfterSeconds":null,"blockedUntil":null,"limits":[],"actions":[]}

curl -s -X POST https://your-tokenist/sdk/record \\
  -H "Authorization: Bearer $TOKENIST_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"userId":"user_abc123","feature":"support-bot","model":"gpt-4o-mini",
       "requestId":"req_1","usage":{"prompt_tokens":812,"completion_tokens":95}}'`;

const PILLARS = [
  {
    title: "Node-first, API everywhere",
    body: "Use the TypeScript client when you're on Node, or hit the REST endpoints from any language or runtime.",
  },
  {
    title: "Per-user accounting",
    body: "Usage, cost and rules scoped to userId, orgId or feature. Made for tiered plans and chargebacks.",
  },
  {
    title: "Intent-aware guardrails",
    body: "GPT-4o-mini labels every conversation: jailbreak attempt, ToS breach, frustration, win. Hook those signals into blocklists or your own automation.",
  },
  {
    title: "One rules engine",
    body: "Set limits, send alerts or block users from a single dashboard. No more scattered scripts or cron jobs.",
  },
];

const FEATURES: Array<{ icon: IconName; title: string; body: string }> = [
  {
    icon: "keys",
    title: "Node SDK + REST",
    body: "Call tokenist.check() before your LLM request and tokenist.record() after it: the TypeScript client on Node, REST from any stack.",
  },
  {
    icon: "users",
    title: "Per-user cost tracking",
    body: "Live token and cost data per user, org and feature across every model you use, in integer nano-dollars. For tiered plans, internal chargebacks and budgeting.",
  },
  {
    icon: "labels",
    title: "Intent-aware guardrails",
    body: "GPT-4o-mini labels every conversation (jailbreak, ToS breach, frustration, win). Turn those signals into automatic blocks, extra auth or throttling.",
  },
  {
    icon: "rules",
    title: "Limits & automation",
    body: "Cost or token rules per user or tier, Slack and webhook alerts, and automatic tier upgrades when someone hits a threshold. Enforced in the database, so ten servers enforce one limit.",
  },
  {
    icon: "features",
    title: "Feature-level attribution",
    body: "Tag each request with a feature and see which product surfaces burn budget. Route expensive workflows to cheaper models before the bill arrives.",
  },
  {
    icon: "blocklist",
    title: "Block & throttle users",
    body: "Add anyone to the blocklist, with an optional expiry, or impose rolling 24-hour limits. Deal with policy violators without taking the whole app down.",
  },
  {
    icon: "overview",
    title: "Dashboards + API parity",
    body: "Everything you can do in the dashboard (usage, limits, alerts) is available through the API. Automate whatever you don't want to click through.",
  },
  {
    icon: "audit",
    title: "Audit-ready logs",
    body: "Request and response metadata for compliance and debugging, and an audit trail of every change. Opt in to full payload logging when you need it; stay lean when you don't.",
  },
];

const FAQ = [
  {
    q: "Do I have to route my LLM traffic through Tokenist?",
    a: "No. Tokenist sits in your server-side code. You keep using the OpenAI SDK (or any HTTP client) exactly as you do today. You just wrap requests with tokenist.check() and tokenist.record() (or call the REST endpoints) so we can track usage and apply guardrails.",
  },
  {
    q: "Which APIs and providers does it work with?",
    a: "Chat Completions, Responses, Realtime and embeddings: record reads the usage object each of them returns. Anthropic and Gemini usage is understood too, and any other model can be recorded with its token counts.",
  },
  {
    q: "What counts as a tracked request?",
    a: "One LLM call: a check and the record that settles it count once, a lone check or a lone record once, and retries and duplicates never. /sdk/log never counts.",
  },
  {
    q: "What happens when I reach my plan's requests?",
    a: "We e-mail the workspace's owners at 80% and 100% of the month's volume. On Free, checks keep enforcing your rules and blocklist, but usage is not recorded until the 1st of the month (UTC); paid plans carry on and bill the overage.",
  },
  {
    q: "Is my users' text stored?",
    a: "Payload logs are off by default; when you turn them on, e-mail addresses, phone and card numbers are masked first unless you say otherwise. Metering needs only token counts; text you send with a record is kept at most 24 hours while its intent is labelled.",
  },
  {
    q: "Do I need a credit card to try a paid plan?",
    a: "No. Free needs no card, and every paid plan starts with a 14-day free trial that needs none either. Cancel any time.",
  },
  {
    q: "Can I run Tokenist myself?",
    a: "Yes. It starts with one command on an embedded database or your own Postgres, and scales out to stateless instances behind a load balancer. Enterprise includes on-prem options.",
  },
  {
    q: "How does Enterprise work?",
    a: "Tell us about your traffic with the Contact us button on the Enterprise plan. We set your workspace's request volume and retention to what we agree, with SSO + RBAC, a dedicated SLA and a dedicated Slack channel.",
  },
];

const STEPS = [
  { n: "1", title: "check", body: "Before the LLM call. A handful of indexed reads: no LLM, no network on your critical path." },
  { n: "2", title: "call", body: "Call OpenAI, Anthropic, Gemini or your own model exactly as you do today." },
  { n: "3", title: "record", body: "After the call. Durable before it answers, idempotent under retries." },
];

export default function LandingPage() {
  return (
    <main>
      <section className="relative overflow-hidden bg-gradient-to-b from-indigo-50/70 via-white to-white">
        <div className="mx-auto max-w-6xl px-6 pt-20 pb-16 text-center">
          <p className="mx-auto mb-5 inline-flex rounded-full bg-white px-3 py-1 text-xs font-medium text-indigo-700 ring-1 ring-indigo-100">
            check → call → record
          </p>
          <h1 className="mx-auto max-w-3xl text-4xl font-bold tracking-tight text-slate-900 sm:text-6xl">
            Tokenist: know who burns your LLM budget, <span className="text-indigo-600">and stop them</span>
          </h1>
          <p className="mx-auto mt-6 max-w-2xl text-lg text-slate-600">
            Guardrails for LLM products. Per-user metering of tokens and cost, limits and blocklists enforced before each call, and intent
            detection that can block an abuser in the same workflow.
          </p>
          <div className="mt-8 flex justify-center gap-3">
            <Link
              href="/sign-up"
              className="rounded-lg bg-indigo-600 px-5 py-3 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500"
            >
              Start free
            </Link>
            <Link
              href="/docs"
              className="rounded-lg bg-white px-5 py-3 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50"
            >
              Read the docs
            </Link>
          </div>
          <p className="mt-4 text-xs text-slate-500">25,000 requests a month free · No credit card required · self-host with one command</p>
          <p className="mx-auto mt-8 max-w-2xl text-sm font-medium text-slate-700" data-testid="works-with">
            Works with Chat Completions, Responses, Realtime, embeddings — wherever you make LLM calls.
          </p>
        </div>
      </section>

      <section className="mx-auto max-w-6xl px-6 py-12">
        <h2 className="text-3xl font-bold tracking-tight text-slate-900">Drop-in SDK + REST guardrails for your LLM stack</h2>
        <p className="mt-3 max-w-3xl text-slate-600">
          Tokenist plugs into your server-side code. You keep calling OpenAI (or any other provider) exactly as you do today: each request
          is wrapped with usage tracking, policy checks and intent detection.
        </p>
        <ul className="mt-8 grid gap-6 sm:grid-cols-2 lg:grid-cols-4">
          {PILLARS.map((p) => (
            <li key={p.title}>
              <h3 className="font-semibold text-slate-900">{p.title}</h3>
              <p className="mt-2 text-sm leading-relaxed text-slate-600">{p.body}</p>
            </li>
          ))}
        </ul>
      </section>

      <section id="features" className="mx-auto max-w-6xl scroll-mt-20 px-6 py-12">
        <h2 className="text-3xl font-bold tracking-tight text-slate-900">The guardrails layer for every AI product</h2>
        <p className="mt-3 max-w-2xl text-slate-600">
          No proxies, no infra surgery. Import the SDK (or call the REST API) and start tracking.
        </p>
        <div className="mt-10 grid gap-6 sm:grid-cols-2 lg:grid-cols-4" data-testid="features">
          {FEATURES.map((f) => (
            <div key={f.title} className="rounded-xl border border-slate-200 p-5">
              <span className="flex h-9 w-9 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600 ring-1 ring-indigo-100">
                <Icon name={f.icon} />
              </span>
              <h3 className="mt-3 font-semibold text-slate-900">{f.title}</h3>
              <p className="mt-2 text-sm leading-relaxed text-slate-600">{f.body}</p>
            </div>
          ))}
        </div>
      </section>

      <section id="how" className="mx-auto max-w-6xl scroll-mt-20 px-6 py-16">
        <h2 className="text-3xl font-bold tracking-tight text-slate-900">Two calls around the one you already make</h2>
        <p className="mt-3 max-w-2xl text-slate-600">The TypeScript SDK wraps the REST API; any language can call it directly.</p>
        <div className="mt-10 grid items-start gap-10 lg:grid-cols-5">
          <ol className="space-y-6 lg:col-span-2">
            {STEPS.map((s) => (
              <li key={s.n} className="flex gap-4">
                <span className="flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-indigo-600 text-sm font-semibold text-white">
                  {s.n}
                </span>
                <div>
                  <h3 className="font-mono font-semibold text-slate-900">{s.title}</h3>
                  <p className="mt-1 text-sm text-slate-600">{s.body}</p>
                </div>
              </li>
            ))}
          </ol>
          <div className="lg:col-span-3">
            <CodeBlock title="server.ts">{CHECK_RECORD}</CodeBlock>
          </div>
        </div>
        <div className="mt-12 grid items-start gap-10 lg:grid-cols-5">
          <div className="lg:col-span-2">
            <h3 className="text-xl font-semibold text-slate-900">Or plain REST</h3>
            <p className="mt-2 text-sm text-slate-600">
              A decision is not an error: a blocked call answers <code className="rounded bg-slate-100 px-1">200</code> with{" "}
              <code className="rounded bg-slate-100 px-1">allowed: false</code>, the reason, and when to retry.
            </p>
            <p className="mt-2 text-sm text-slate-600">
              Need Python, Go, or another runtime? Hit the REST endpoints directly: same rules engine, same intent labels, same dashboard
              visibility.
            </p>
          </div>
          <div className="lg:col-span-3">
            <CodeBlock title="terminal">{CURL}</CodeBlock>
          </div>
        </div>
      </section>

      <section id="pricing" className="scroll-mt-20 bg-slate-50 py-16">
        <div className="mx-auto max-w-6xl px-6">
          <h2 className="text-3xl font-bold tracking-tight text-slate-900">Pricing</h2>
          <p className="mt-3 text-slate-600">
            Pay for requests tracked. Start free, no credit card needed. We'll alert you before you hit your limit.
          </p>
          <p className="mt-2 text-sm text-slate-600">
            Plans count tracked requests per calendar month. A tracked request is one LLM call: a check and the record that settles it count
            once; a lone check or a lone record once; retries and duplicates never.
          </p>
          <div className="mt-10">
            <PlansTable />
          </div>
          <p className="mt-6 text-center text-sm text-slate-500">
            All paid plans include a 14-day free trial · Cancel any time · No credit card required to start
          </p>
        </div>
      </section>

      <section id="faq" className="mx-auto max-w-3xl scroll-mt-20 px-6 py-16">
        <h2 className="text-3xl font-bold tracking-tight text-slate-900">Common questions</h2>
        <p className="mt-3 text-slate-600">Everything you need to know before getting started.</p>
        <div className="mt-8 divide-y divide-slate-200 border-y border-slate-200" data-testid="faq">
          {FAQ.map((item) => (
            <details key={item.q} className="group py-4">
              <summary className="flex cursor-pointer list-none items-center justify-between gap-4 font-medium text-slate-900">
                {item.q}
                <span className="text-slate-400 transition group-open:rotate-45" aria-hidden>
                  +
                </span>
              </summary>
              <p className="mt-3 text-sm leading-relaxed text-slate-600">{item.a}</p>
            </details>
          ))}
        </div>
      </section>
    </main>
  );
}
