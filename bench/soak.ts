// Soak: the production server on real Postgres under a mixed load (80% /sdk/check, 20%
// /sdk/record: autocannon cycles check ×4 then record on every connection; 10k end users)
// for a few minutes. Reports throughput, p50/p99 per endpoint (a probe sends both, one at
// a time, during the load), the server's memory every 10 s, and checks that the events,
// tokens and nano-dollars in the database equal exactly what the load generator sent.
import autocannon from "autocannon";
import fs from "node:fs";
import postgres from "postgres";
import { generateApiKey } from "@/server/services/api-keys/key-material";
import { startApp } from "@/tests/helpers/app-server";
import { fmt, freshDatabase, percentile } from "./lib";

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 180);
const USERS = 10_000;
// gpt-4o-mini: $0.15 input, $0.60 output per MTok → 150 and 600 nano-dollars per token.
const costNanos = (input: number, output: number) => BigInt(input) * 150n + BigInt(output) * 600n;

function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function main() {
  const apiKey = generateApiKey();
  const pg = await freshDatabase();
  const app = await startApp({
    databaseUrl: pg.url,
    env: { TOKENIST_INIT_API_KEY: apiKey, TOKENIST_INIT_PLAN: "enterprise", TOKENIST_SDK_RATE_LIMIT: "1000000000" },
  });
  const sent = new Map<string, { input: number; output: number }>();
  const acknowledged = new Set<string>();
  let seq = 0;
  try {
    const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
    const user = () => `user_${Math.floor(Math.random() * USERS)}`;
    const checkBody = () => JSON.stringify({ userId: user(), feature: "chat", model: "gpt-4o-mini", estimatedTokens: 500 });
    const recordBody = (prefix: string) => {
      const input = 100 + (seq % 900);
      const output = 10 + (seq % 90);
      const requestId = `${prefix}-${seq++}`;
      sent.set(requestId, { input, output });
      return {
        requestId,
        body: JSON.stringify({
          userId: user(),
          feature: "chat",
          model: "gpt-4o-mini",
          requestId,
          usage: { prompt_tokens: input, completion_tokens: output },
        }),
      };
    };
    const check: autocannon.Request = {
      method: "POST",
      path: "/sdk/check",
      headers,
      setupRequest: (req) => ({ ...req, body: checkBody() }),
    };
    const record: autocannon.Request = {
      method: "POST",
      path: "/sdk/record",
      headers,
      setupRequest: (req) => ({ ...req, body: recordBody("soak").body }),
      onResponse: (status, body) => {
        if (status === 200) acknowledged.add((JSON.parse(body) as { id: string }).id);
      },
    };
    const rssStart = rssMb(app.pid());
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMb(app.pid())), 10_000);
    // The latency probe: one check and one record at a time, alongside the load.
    const probe = { check: [] as number[], record: [] as number[], stop: false };
    const probing = (async () => {
      while (!probe.stop) {
        let t = performance.now();
        await fetch(`${app.baseUrl}/sdk/check`, { method: "POST", headers, body: checkBody() });
        probe.check.push(performance.now() - t);
        const r = recordBody("probe");
        t = performance.now();
        const res = await fetch(`${app.baseUrl}/sdk/record`, { method: "POST", headers, body: r.body });
        probe.record.push(performance.now() - t);
        if (res.ok) acknowledged.add(((await res.json()) as { id: string }).id);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    console.log(`\n== soak: ${SECONDS} s, ${USERS.toLocaleString()} end users, real Postgres; server RSS at start ${fmt(rssStart)} MB`);
    const result = await new Promise<autocannon.Result>((resolve, reject) =>
      autocannon({ url: app.baseUrl, connections: 50, duration: SECONDS, requests: [check, check, check, check, record] }, (err, res) =>
        err ? reject(err) : resolve(res),
      ),
    );
    probe.stop = true;
    await probing;
    clearInterval(sampler);
    const rssEnd = rssMb(app.pid());
    await new Promise((r) => setTimeout(r, 2_000)); // requests autocannon stopped waiting for still complete

    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    const rows = await sql<{ request_id: string; n: number; input: number; output: number; cost: string }[]>`
      select request_id, count(*)::int as n, sum(input_tokens)::int as input, sum(output_tokens)::int as output, sum(cost_nanos)::text as cost
      from events group by request_id`;
    const ackIds = [...acknowledged];
    const [present] = await sql<{ n: number }[]>`select count(*)::int as n from events where id = any(${ackIds})`;
    await sql.end();
    const expect = { events: 0, input: 0, output: 0, cost: 0n };
    const found = { events: 0, input: 0, output: 0, cost: 0n };
    let unknown = 0;
    let twice = 0;
    for (const r of rows) {
      const s = sent.get(r.request_id);
      if (!s) unknown++;
      if (r.n !== 1) twice++;
      found.events += r.n;
      found.input += r.input;
      found.output += r.output;
      found.cost += BigInt(r.cost);
      if (s) {
        expect.events++;
        expect.input += s.input;
        expect.output += s.output;
        expect.cost += costNanos(s.input, s.output);
      }
    }
    const missingAcks = ackIds.length - present!.n; // acknowledged event ids not in the database
    const ok =
      unknown === 0 &&
      twice === 0 &&
      found.events === expect.events &&
      found.input === expect.input &&
      found.output === expect.output &&
      found.cost === expect.cost;
    const total = result.requests.total;
    const p = (xs: number[], q: number) =>
      fmt(
        percentile(
          [...xs].sort((a, b) => a - b),
          q,
        ),
        1,
      );
    console.log(
      `mixed load: ${fmt(result.requests.average)} req/s (${fmt(total)} requests: ~${fmt(total * 0.8)} check, ~${fmt(total * 0.2)} record), p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
    );
    console.log(
      `probe under load: /sdk/check p50 ${p(probe.check, 50)} ms p99 ${p(probe.check, 99)} ms (${probe.check.length}); /sdk/record p50 ${p(probe.record, 50)} ms p99 ${p(probe.record, 99)} ms (${probe.record.length})`,
    );
    console.log(`server RSS: start ${fmt(rssStart)} MB, end ${fmt(rssEnd)} MB; every 10 s: ${samples.map((m) => fmt(m)).join(", ")}`);
    const secondHalf = samples.slice(Math.floor(samples.length / 2));
    console.log(`RSS range over the second half: ${fmt(Math.min(...secondHalf))}–${fmt(Math.max(...secondHalf))} MB`);
    console.log(
      `exact count: ${fmt(sent.size)} records sent, ${fmt(acknowledged.size)} acknowledged; database ${fmt(found.events)} events, ` +
        `${found.input}+${found.output} tokens, ${found.cost} nano-USD; expected for those request ids ${expect.events} events, ` +
        `${expect.input}+${expect.output} tokens, ${expect.cost} nano-USD; unknown ids ${unknown}, counted twice ${twice}, acknowledged but missing ${missingAcks} → ${ok && missingAcks === 0 ? "EXACT" : "MISMATCH"}`,
    );
    if (!ok || missingAcks) process.exitCode = 1;
  } finally {
    await app.dispose();
    await pg.drop();
  }
}
