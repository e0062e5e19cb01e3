import Link from "next/link";
import { CodeBlock } from "@/app/_components/marketing/code-block";

export const metadata = { title: "Docs · Tokenist" };

const SECTIONS = [
  { id: "keys", title: "1. Get an API key" },
  { id: "sdk", title: "2. SDK quick start" },
  { id: "rest", title: "3. REST quick start" },
  { id: "rules", title: "4. Rules and the blocklist" },
  { id: "self-host", title: "Self-hosting" },
];

function H2({ id, children }: { id: string; children: React.ReactNode }) {
  return (
    <h2 id={id} className="scroll-mt-24 pt-4 text-2xl font-semibold tracking-tight text-slate-900">
      {children}
    </h2>
  );
}

function P({ children }: { children: React.ReactNode }) {
  return <p className="text-[15px] leading-7 text-slate-600">{children}</p>;
}

function C({ children }: { children: React.ReactNode }) {
  return <code className="rounded bg-slate-100 px-1 py-0.5 text-[13px] text-slate-800">{children}</code>;
}

export default function DocsPage() {
  return (
    <main className="mx-auto flex max-w-6xl gap-12 px-6 py-12">
      <aside className="hidden w-52 shrink-0 lg:block">
        <nav className="sticky top-24 space-y-1 text-sm" aria-label="On this page">
          <p className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-400">Quick start</p>
          {SECTIONS.map((s) => (
            <a key={s.id} href={`#${s.id}`} className="block rounded-md px-2 py-1 text-slate-600 hover:bg-slate-50 hover:text-slate-900">
              {s.title}
            </a>
          ))}
        </nav>
      </aside>
      <article className="min-w-0 flex-1 space-y-6">
        <div>
          <h1 className="text-4xl font-bold tracking-tight text-slate-900">Docs</h1>
          <P>
            Tokenist answers one question before each LLM call, &ldquo;may this end user make it?&rdquo;, and keeps exact accounting after
            it. Your backend does two calls: <C>check</C> before, <C>record</C> after.
          </P>
        </div>

        <H2 id="keys">1. Get an API key</H2>
        <P>
          <Link href="/sign-up" className="font-medium text-indigo-600 hover:underline">
            Create a workspace
          </Link>
          , open <b>API keys</b> and create a key with the <C>sdk</C> scope. The key (<C>ug_…</C>) is shown once; only its hash is stored.
          Send it as <C>Authorization: Bearer</C>.
        </P>
        <CodeBlock>{`export TOKENIST_API_KEY=ug_...
export TOKENIST_BASE_URL=http://localhost:3000   # self-hosted; the SDK's default is https://api.tokenist.dev`}</CodeBlock>

        <H2 id="sdk">2. SDK quick start (TypeScript)</H2>
        <P>
          <C>@tokenist/guardrails</C> has no runtime dependencies and runs on Node 18+, Bun, Deno and edge runtimes.
        </P>
        <CodeBlock title="terminal">{`npm install @tokenist/guardrails`}</CodeBlock>
        <CodeBlock title="answer.ts">{`import OpenAI from "openai";
import { tokenist } from "@tokenist/guardrails";

tokenist.init({ apiKey: process.env.TOKENIST_API_KEY }); // TOKENIST_BASE_URL is read from the environment
const openai = new OpenAI();

export async function answer(userId: string, question: string) {
  const messages = [{ role: "user" as const, content: question }];

  // 1. Before the call: may this end user make it?
  const decision = await tokenist.check({ userId, feature: "support-bot", model: "gpt-4o-mini", input: messages });
  if (!decision.allowed) return { error: decision.message, retryAfterSeconds: decision.retryAfterSeconds };

  // 2. The call.
  const completion = await openai.chat.completions.create({ model: "gpt-4o-mini", messages });

  // 3. After it: usage, model and text are read from the response; the checkId settles that check.
  //    record never rejects by default: a failure resolves { recorded: false, error }.
  await tokenist.record({ userId, checkId: decision.checkId, response: completion });
  return { text: completion.choices[0]?.message.content };
}`}</CodeBlock>
        <P>
          <C>check</C> fails open only when Tokenist cannot answer (network error, timeout, 5xx, 429: <C>allowed: true, degraded: true</C>);
          your own mistake (a bad key, no <C>userId</C>) throws a <C>TokenistError</C> either way.
          <C>record</C> retries with one idempotency key per call, so a retry is never counted twice, and resolves{" "}
          <C>{"{ recorded: false, error }"}</C> instead of throwing (<C>throwOnError: true</C> to throw). For OpenAI chat completions,
          responses and embeddings, <C>tokenist.withGuardrails(openai, {"{ userId }"})</C> does all three steps, streams included: it throws{" "}
          <C>TokenistBlockedError</C> on a denial, applies <C>downgrade_model</C>, and records a stream left early.
        </P>

        <H2 id="rest">3. REST quick start</H2>
        <P>
          Any language: two JSON POSTs. A decision is not an error: a refused call answers <C>200</C> with <C>allowed: false</C> and a{" "}
          <C>reason</C> (<C>blocked</C>, <C>limit_exceeded</C>, <C>policy</C>, <C>label</C>). An allowed call carries a <C>checkId</C>: send
          it with the record.
        </P>
        <CodeBlock title="before the LLM call">{`curl -s -X POST $TOKENIST_BASE_URL/sdk/check \\
  -H "Authorization: Bearer $TOKENIST_API_KEY" -H "Content-Type: application/json" \\
  -d '{"userId":"user_abc123","orgId":"org_42","feature":"support-bot","model":"gpt-4o","input":"Summarise my last invoice"}'
# {"allowed":true,"labels":["safe"],"reason":null,"message":null,"retryAfterSeconds":null,
#  "blockedUntil":null,"limits":[],"actions":[],"checkId":"chk_…","quota":{"exceeded":false,…}}`}</CodeBlock>
        <CodeBlock title="after it, with the provider's usage object as returned">{`curl -s -X POST $TOKENIST_BASE_URL/sdk/record \\
  -H "Authorization: Bearer $TOKENIST_API_KEY" -H "Content-Type: application/json" \\
  -d '{"userId":"user_abc123","checkId":"chk_…","requestId":"req_1",
       "usage":{"prompt_tokens":812,"completion_tokens":95,"prompt_tokens_details":{"cached_tokens":512}}}'`}</CodeBlock>
        <P>
          The same <C>requestId</C> (or <C>Idempotency-Key</C> header) sent again is counted once and answered with{" "}
          <C>&quot;duplicate&quot;: true</C>. Errors always have one shape: <C>{`{"error":{"code":"invalid_request","message":"…"}}`}</C>.
          Management bodies are strict: an unknown field (a typo like <C>limitt</C>) is a 400 naming it, never silently dropped.
        </P>

        <H2 id="rules">4. Rules and the blocklist</H2>
        <P>
          Create rules in the dashboard (<b>Rules</b>) or with a key that has the <C>write</C> scope:
        </P>
        <CodeBlock>{`# every end user: at most 20 requests in any rolling 24 hours
curl -s -X POST $TOKENIST_BASE_URL/api/v1/rules -H "Authorization: Bearer $TOKENIST_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"name":"Daily requests","scope":"user","match":null,"metric":"requests","window":"day","limit":20,"action":"block"}'

# each end user on the free tier: their own 200 requests a day
curl -s -X POST $TOKENIST_BASE_URL/api/v1/rules -H "Authorization: Bearer $TOKENIST_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"name":"Free tier: 200 a day","scope":"user","filters":{"tier":"free"},"metric":"requests","window":"day","limit":200}'

# block one end user until a date
curl -s -X POST $TOKENIST_BASE_URL/api/v1/blocklist -H "Authorization: Bearer $TOKENIST_API_KEY" \\
  -H "Content-Type: application/json" -d '{"userId":"user_abc123","reason":"abuse","expiresAt":"2026-12-01T10:00:00Z"}'`}</CodeBlock>
        <P>
          Scopes say who counts: <C>user</C>, <C>org</C> (each one separately), <C>feature</C>, <C>tier</C>, <C>workspace</C> (one shared
          count). Filters say which calls count: <C>filters</C> with any of <C>tier</C>, <C>feature</C>, <C>model</C>, <C>orgId</C> limits
          only the calls matching every one. Metrics: <C>requests</C>, <C>tokens</C>, <C>cost_usd</C>. Windows: rolling <C>minute</C>,{" "}
          <C>hour</C>, <C>day</C>, and <C>calendar_day</C>, <C>calendar_month</C> (UTC). Actions: <C>block</C>, <C>alert</C>,{" "}
          <C>require_reauth</C>, <C>downgrade_model:&lt;model&gt;</C>. Changes reach every server within half a second.
        </P>

        <H2 id="self-host">Self-hosting</H2>
        <P>
          One process, nothing else to install: with no <C>DATABASE_URL</C> it runs on an embedded Postgres (PGlite) in{" "}
          <C>.tokenist/data</C>. Set <C>DATABASE_URL</C> for a real Postgres in production.
        </P>
        <CodeBlock title="terminal">{`npm install && npm start     # builds on first run, then serves http://localhost:3000
curl -s localhost:3000/api/health`}</CodeBlock>
      </article>
    </main>
  );
}
