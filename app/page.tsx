export default function Home() {
  return (
    <main className="mx-auto max-w-4xl px-6 py-16">
      <h1 className="text-4xl font-bold tracking-tight">Tokenist</h1>
      <p className="mt-4 text-lg text-slate-600">
        Guardrails for LLM products: per-user metering of tokens and cost, limits and blocklists enforced in your own
        code, and intent detection that can block or throttle an abuser in the same workflow.
      </p>
      <pre className="mt-8 overflow-x-auto rounded-lg bg-slate-900 p-4 text-sm text-slate-100">
        {`curl -X POST http://localhost:3000/sdk/check \\
  -H "Authorization: Bearer $TOKENIST_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"userId": "user_abc123", "feature": "support-bot"}'`}
      </pre>
    </main>
  );
}
