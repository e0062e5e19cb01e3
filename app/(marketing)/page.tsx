import Link from "next/link";
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

const FEATURES = [
  {
    title: "Meter every call",
    body: "Exact tokens and cost per end user, org, feature and model, in integer nano-dollars, from the usage object your provider already returns.",
  },
  {
    title: "Enforce limits",
    body: "Requests, tokens or dollars per rolling minute, hour, day or calendar month. Enforced in the database, so ten servers enforce one limit.",
  },
  {
    title: "Block abusers",
    body: "A blocklist with expiry for end users and orgs. An expired block stops blocking on its own; no cron job involved.",
  },
  {
    title: "Read intent",
    body: "Conversations labelled jailbreak, ToS breach, frustration or win, turned into blocks, throttles and alerts.",
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
          <p className="mt-4 text-xs text-slate-500">25,000 requests a month free · self-host with one command</p>
        </div>
      </section>

      <section className="mx-auto grid max-w-6xl gap-6 px-6 py-12 sm:grid-cols-2 lg:grid-cols-4">
        {FEATURES.map((f) => (
          <div key={f.title} className="rounded-xl border border-slate-200 p-5">
            <h3 className="font-semibold text-slate-900">{f.title}</h3>
            <p className="mt-2 text-sm leading-relaxed text-slate-600">{f.body}</p>
          </div>
        ))}
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
            Plans count tracked requests per calendar month. A tracked request is one LLM call: a check and the record that settles it count
            once; a lone check or a lone record once; retries and duplicates never. Paid plans start with a 14-day trial.
          </p>
          <div className="mt-10">
            <PlansTable />
          </div>
        </div>
      </section>
    </main>
  );
}
