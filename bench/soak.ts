// Soak: the production server on real Postgres under a mixed load (80% /sdk/check, 20%
// /sdk/record: autocannon cycles check ×4 then record on every connection; 10k end users)
// for a few minutes. Reports throughput, p50/p99 per endpoint (a probe sends both, one at
// a time, during the load), the server's memory every 10 s, and checks that the events,
// tokens and nano-dollars in the database equal exactly what the load generator sent.
//
// BENCH_SOAK_PROCESSES=N (default 1) starts N app processes on the one database, as N
// instances behind a load balancer would run: the same headless-start variables (so the same
// member, workspace and API key; the first start creates them, the others find them), the same
// AUTH_SECRET, each with its own outbox worker. Each process gets its own autocannon instance
// with BENCH_SOAK_CONNECTIONS connections (default 50) and the same mix; the probe alternates
// between processes. The exactness check then covers what was sent to all of them, and every
// acknowledged record must be stored exactly once, under the event id its answer gave.
import autocannon from "autocannon";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import postgres from "postgres";
import { generateApiKey } from "@/server/services/api-keys/key-material";
import { type RunningApp, startApp } from "@/tests/helpers/app-server";
import { fmt, freshDatabase, percentile } from "./lib";

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 180);
const PROCESSES = Number(process.env.BENCH_SOAK_PROCESSES ?? 1);
const CONNECTIONS = Number(process.env.BENCH_SOAK_CONNECTIONS ?? 50);
const USERS = 10_000;
// gpt-4o-mini: $0.15 input, $0.60 output per MTok → 150 and 600 nano-dollars per token.
const costNanos = (input: number, output: number) => BigInt(input) * 150n + BigInt(output) * 600n;

function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

const sortedPercentile = (xs: number[], q: number) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    q,
  );

interface Driven {
  app: RunningApp;
  result?: autocannon.Result;
  /** Every response time this process's autocannon saw (ms), for the percentiles over all processes. */
  latencies: number[];
  rssStart: number;
  rssEnd: number;
  samples: number[];
  cpuStart: number;
  cpuEnd: number;
}

export async function main() {
  if (!Number.isInteger(PROCESSES) || PROCESSES < 1) throw new Error("BENCH_SOAK_PROCESSES must be a whole number ≥ 1");
  const apiKey = generateApiKey();
  const pg = await freshDatabase();
  // Every instance the same variables: the headless start is idempotent, so the first creates the
  // member, workspace and key and the others find them; one AUTH_SECRET, as behind a load balancer.
  const env = {
    TOKENIST_INIT_API_KEY: apiKey,
    TOKENIST_INIT_PLAN: "enterprise",
    TOKENIST_SDK_RATE_LIMIT: "1000000000",
    AUTH_SECRET: randomBytes(24).toString("hex"),
  };
  const apps: RunningApp[] = [];
  const sent = new Map<string, { input: number; output: number }>();
  /** requestId → the event id its 200 answer gave. */
  const acknowledged = new Map<string, string>();
  let seq = 0;
  /** A refused record's answer per status (a diagnosis when records fail). */
  const refusals = new Map<number, string>();
  try {
    apps.push(await startApp({ databaseUrl: pg.url, env }));
    // The others start together, as a deploy would start them, on the already initialised database.
    const others = await Promise.allSettled(Array.from({ length: PROCESSES - 1 }, () => startApp({ databaseUrl: pg.url, env })));
    for (const o of others) if (o.status === "fulfilled") apps.push(o.value);
    const failed = others.find((o) => o.status === "rejected");
    if (failed) throw failed.reason;
    if (PROCESSES > 1) await expectOneTenant(pg.url);

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
    // Request ids are unique across processes (the prefix names the process).
    const record = (prefix: string): autocannon.Request => ({
      method: "POST",
      path: "/sdk/record",
      headers,
      setupRequest: (req, context) => {
        const r = recordBody(prefix);
        (context as { requestId?: string }).requestId = r.requestId;
        return { ...req, body: r.body };
      },
      onResponse: (status, body, context) => {
        if (status !== 200) refusals.set(status, body.slice(0, 300));
        if (status === 200) acknowledged.set((context as { requestId: string }).requestId, (JSON.parse(body) as { id: string }).id);
      },
    });
    const driven: Driven[] = apps.map((app) => ({
      app,
      latencies: [],
      rssStart: rssMb(app.pid()),
      rssEnd: NaN,
      samples: [],
      cpuStart: cpuSeconds(app.pid()),
      cpuEnd: NaN,
    }));
    const sampler = setInterval(() => {
      for (const d of driven) d.samples.push(rssMb(d.app.pid()));
    }, 10_000);
    // The latency probe: one check and one record at a time, alongside the load, alternating between processes.
    const probe = { check: [] as number[], record: [] as number[], stop: false };
    const probing = (async () => {
      for (let i = 0; !probe.stop; i++) {
        const baseUrl = apps[i % apps.length]!.baseUrl;
        let t = performance.now();
        await fetch(`${baseUrl}/sdk/check`, { method: "POST", headers, body: checkBody() });
        probe.check.push(performance.now() - t);
        const r = recordBody("probe");
        t = performance.now();
        const res = await fetch(`${baseUrl}/sdk/record`, { method: "POST", headers, body: r.body });
        probe.record.push(performance.now() - t);
        if (res.ok) acknowledged.set(r.requestId, ((await res.json()) as { id: string }).id);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const rssStart = driven[0]!.rssStart;
    if (PROCESSES === 1) {
      console.log(`\n== soak: ${SECONDS} s, ${USERS.toLocaleString()} end users, real Postgres; server RSS at start ${fmt(rssStart)} MB`);
    } else {
      console.log(
        `\n== soak: ${PROCESSES} app processes on one Postgres database, ${CONNECTIONS} connections each, ${SECONDS} s, ` +
          `${USERS.toLocaleString()} end users; RSS at start ${driven.map((d) => `${fmt(d.rssStart)}`).join(" / ")} MB`,
      );
    }
    const benchCpuStart = process.cpuUsage();
    const wallStart = performance.now();
    await Promise.all(
      driven.map(
        (d, i) =>
          new Promise<void>((resolve, reject) => {
            const instance = autocannon(
              {
                url: d.app.baseUrl,
                connections: CONNECTIONS,
                duration: SECONDS,
                requests: [check, check, check, check, record(PROCESSES === 1 ? "soak" : `soak${i}`)],
              },
              (err, res) => {
                if (err) return reject(err);
                d.result = res;
                d.cpuEnd = cpuSeconds(d.app.pid());
                resolve();
              },
            );
            if (PROCESSES > 1) instance.on("response", (_client, _status, _bytes, ms: number) => d.latencies.push(ms));
          }),
      ),
    );
    const wall = (performance.now() - wallStart) / 1000;
    const benchCpu = process.cpuUsage(benchCpuStart);
    probe.stop = true;
    await probing;
    clearInterval(sampler);
    for (const d of driven) d.rssEnd = rssMb(d.app.pid());
    await new Promise((r) => setTimeout(r, 2_000)); // requests autocannon stopped waiting for still complete

    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    const rows = await sql<{ request_id: string; n: number; id: string; input: number; output: number; cost: string }[]>`
      select request_id, count(*)::int as n, min(id) as id, sum(input_tokens)::int as input, sum(output_tokens)::int as output,
        sum(cost_nanos)::text as cost
      from events group by request_id`;
    await sql.end();
    const expect = { events: 0, input: 0, output: 0, cost: 0n };
    const found = { events: 0, input: 0, output: 0, cost: 0n };
    const stored = new Map<string, { n: number; id: string }>();
    let unknown = 0;
    let twice = 0;
    for (const r of rows) {
      stored.set(r.request_id, { n: r.n, id: r.id });
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
    // Every acknowledged requestId stored exactly once, as the event its answer named.
    let missingAcks = 0;
    let ackedOtherId = 0;
    for (const [requestId, eventId] of acknowledged) {
      const row = stored.get(requestId);
      if (!row) missingAcks++;
      else if (row.n !== 1 || row.id !== eventId) ackedOtherId++;
    }
    const ok =
      unknown === 0 &&
      twice === 0 &&
      found.events === expect.events &&
      found.input === expect.input &&
      found.output === expect.output &&
      found.cost === expect.cost;
    // Nothing acknowledged proves nothing: a run whose records all failed is no exact count.
    const exact = ok && missingAcks === 0 && ackedOtherId === 0 && acknowledged.size > 0;
    const results = driven.map((d) => d.result!);
    const total = results.reduce((n, r) => n + r.requests.total, 0);
    const totalRps = results.reduce((n, r) => n + r.requests.average, 0);
    const non2xx = results.reduce((n, r) => n + r.non2xx, 0);
    const errors = results.reduce((n, r) => n + r.errors, 0);
    const allLatencies = PROCESSES === 1 ? [] : driven.flatMap((d) => d.latencies);
    const p50 = PROCESSES === 1 ? results[0]!.latency.p50 : Math.round(sortedPercentile(allLatencies, 50));
    const p99 = PROCESSES === 1 ? results[0]!.latency.p99 : Math.round(sortedPercentile(allLatencies, 99));
    const p = (xs: number[], q: number) => fmt(sortedPercentile(xs, q), 1);
    if (PROCESSES > 1) {
      driven.forEach((d, i) => {
        const r = d.result!;
        console.log(
          `process ${i + 1}: ${fmt(r.requests.average)} req/s (${fmt(r.requests.total)} requests), p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
            `non-2xx ${r.non2xx}, errors ${r.errors}; RSS ${fmt(d.rssStart)} → ${fmt(d.rssEnd)} MB (max ${fmt(Math.max(...d.samples, d.rssEnd))}); ` +
            `CPU ${fmt(((d.cpuEnd - d.cpuStart) / wall) * 100)}% of a core`,
        );
      });
      console.log(
        `load generator (this process, ${PROCESSES} autocannon instances): CPU ${fmt(((benchCpu.user + benchCpu.system) / 1e6 / wall) * 100)}% of a core`,
      );
    }
    console.log(
      `${PROCESSES === 1 ? "mixed load" : "all processes"}: ${fmt(totalRps)} req/s (${fmt(total)} requests: ~${fmt(total * 0.8)} check, ~${fmt(total * 0.2)} record), p50 ${p50} ms, p99 ${p99} ms, non-2xx ${non2xx}, errors ${errors}`,
    );
    console.log(
      `probe under load: /sdk/check p50 ${p(probe.check, 50)} ms p99 ${p(probe.check, 99)} ms (${probe.check.length}); /sdk/record p50 ${p(probe.record, 50)} ms p99 ${p(probe.record, 99)} ms (${probe.record.length})`,
    );
    if (PROCESSES === 1) {
      const d = driven[0]!;
      console.log(`server RSS: start ${fmt(rssStart)} MB, end ${fmt(d.rssEnd)} MB; every 10 s: ${d.samples.map((m) => fmt(m)).join(", ")}`);
      const secondHalf = d.samples.slice(Math.floor(d.samples.length / 2));
      console.log(`RSS range over the second half: ${fmt(Math.min(...secondHalf))}–${fmt(Math.max(...secondHalf))} MB`);
    } else {
      driven.forEach((d, i) =>
        console.log(`process ${i + 1} RSS every 10 s: ${d.samples.map((m) => fmt(m)).join(", ") || "(run shorter than 10 s)"}`),
      );
    }
    console.log(
      `exact count: ${fmt(sent.size)} records sent, ${fmt(acknowledged.size)} acknowledged; database ${fmt(found.events)} events, ` +
        `${found.input}+${found.output} tokens, ${found.cost} nano-USD; expected for those request ids ${expect.events} events, ` +
        `${expect.input}+${expect.output} tokens, ${expect.cost} nano-USD; unknown ids ${unknown}, counted twice ${twice}, acknowledged but missing ${missingAcks}` +
        `${PROCESSES === 1 ? "" : `, acknowledged under another event id ${ackedOtherId}`} → ${exact ? "EXACT" : "MISMATCH"}`,
    );
    for (const [status, body] of refusals) console.log(`a /sdk/record answered ${status}: ${body}`);
    // The machine-readable last line (shared/API-2.md, "Benchmarks").
    const round = (n: number, digits = 0) => Number(n.toFixed(digits));
    console.log(
      JSON.stringify({
        bench: "soak",
        processes: PROCESSES,
        seconds: SECONDS,
        connectionsPerProcess: CONNECTIONS,
        rps: round(totalRps),
        requests: total,
        p50Ms: p50,
        p99Ms: p99,
        non2xx,
        errors,
        perProcess: driven.map((d) => ({
          rps: round(d.result!.requests.average),
          requests: d.result!.requests.total,
          p50Ms: d.result!.latency.p50,
          p99Ms: d.result!.latency.p99,
          rssStartMb: round(d.rssStart),
          rssEndMb: round(d.rssEnd),
          rssMaxMb: round(Math.max(...d.samples, d.rssEnd)),
          cpuPercent: round(((d.cpuEnd - d.cpuStart) / wall) * 100),
        })),
        probe: {
          checkP50Ms: round(sortedPercentile(probe.check, 50), 1),
          checkP99Ms: round(sortedPercentile(probe.check, 99), 1),
          recordP50Ms: round(sortedPercentile(probe.record, 50), 1),
          recordP99Ms: round(sortedPercentile(probe.record, 99), 1),
        },
        records: { sent: sent.size, acknowledged: acknowledged.size, stored: found.events },
        tokens: { input: found.input, output: found.output },
        costNanos: String(found.cost),
        exact,
      }),
    );
    // After the JSON line (stdout's last line either way): bench/index.ts turns a throw into exit code 1.
    if (!exact) throw new Error("soak: the database does not match what the load generator sent (see the exact count line)");
  } finally {
    for (const app of apps) await app.dispose();
    await pg.drop();
  }
}

/** N instances on one database share one member, one workspace and one API key (the headless start found them). */
async function expectOneTenant(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ members: number; workspaces: number; keys: number }[]>`
      select (select count(*)::int from members) as members, (select count(*)::int from workspaces) as workspaces,
        (select count(*)::int from api_keys) as keys`;
    if (row!.members !== 1 || row!.workspaces !== 1 || row!.keys !== 1) {
      throw new Error(`the headless start of ${PROCESSES} processes left ${JSON.stringify(row)}: expected one of each`);
    }
  } finally {
    await sql.end();
  }
}
