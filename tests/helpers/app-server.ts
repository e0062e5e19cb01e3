import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { createTestDatabaseUrl, dropTestDatabase } from "./db";
import { generateApiKey } from "@/server/services/api-keys/key-material";

const ROOT = path.resolve(__dirname, "..", "..");

export interface RunningApp {
  baseUrl: string;
  apiKey: string;
  email: string;
  password: string;
  dataDir: string;
  databaseUrl?: string;
  env: Record<string, string>;
  logs: () => string;
  /** The server process id (for memory readings). */
  pid: () => number | undefined;
  /** Stop the process (the database stays). */
  stop: () => Promise<void>;
  /** Kill the process at once (SIGKILL): nothing gets to clean up. */
  crash: () => Promise<void>;
  /** Start the process again on the same port, data and environment. */
  restart: () => Promise<void>;
  /** Stop and delete its data. */
  dispose: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/**
 * The real production server (`next start`, built by the global setup) on a free port, with
 * the headless-start variables set and a fresh database: PGlite in a temp folder, or a new
 * database on TEST_DATABASE_URL's server when `driver` is "postgres".
 */
export async function startApp(
  options: {
    driver?: "pglite" | "postgres";
    env?: Record<string, string>;
    databaseUrl?: string;
    expectHealthy?: boolean;
    /** Flags for the server's node (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
    nodeArgs?: string[];
    /** Set TOKENIST_PUBLIC_URL to the app's own address (links and SSO callbacks built from it reach this app). */
    publicUrl?: boolean;
  } = {},
): Promise<RunningApp> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tokenist-app-"));
  const databaseUrl = options.databaseUrl ?? (options.driver === "postgres" ? await createTestDatabaseUrl() : undefined);
  const apiKey = generateApiKey();
  const env: Record<string, string> = {
    PORT: String(port),
    TOKENIST_DATA_DIR: dataDir,
    TOKENIST_INIT_EMAIL: "owner@example.com",
    TOKENIST_INIT_PASSWORD: "correct horse battery",
    TOKENIST_INIT_WORKSPACE: "Test workspace",
    TOKENIST_INIT_API_KEY: apiKey,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(options.publicUrl ? { TOKENIST_PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
    ...options.env,
  };
  let child: ChildProcess | undefined;
  let output = "";
  const launch = async () => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("TOKENIST_") && k !== "DATABASE_URL" && k !== "VITEST"),
    );
    const next = ["start", "-p", String(port), "-H", "127.0.0.1"];
    const [command, args] = options.nodeArgs?.length
      ? [process.execPath, [...options.nodeArgs, path.join(ROOT, "node_modules/next/dist/bin/next"), ...next]]
      : [path.join(ROOT, "node_modules/.bin/next"), next];
    child = spawn(command, args, {
      cwd: ROOT,
      env: { ...clean, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    await waitForHealth(`http://127.0.0.1:${port}`, () => output, child, options.expectHealthy ?? true);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child?.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: env.TOKENIST_INIT_API_KEY!,
    email: env.TOKENIST_INIT_EMAIL!,
    password: env.TOKENIST_INIT_PASSWORD!,
    dataDir,
    databaseUrl,
    env,
    logs: () => output,
    pid: () => child?.pid,
    stop,
    crash: async () => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    },
    restart: async () => {
      await stop();
      await launch();
    },
    dispose: async () => {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (databaseUrl && !options.databaseUrl) await dropTestDatabase(databaseUrl);
    },
  };
}

async function waitForHealth(baseUrl: string, logs: () => string, child: ChildProcess, healthy: boolean) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.status === 200 || (!healthy && res.status === 503)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`app did not become healthy in 90 s:\n${logs()}`);
}

/** fetch JSON with the app's API key. */
export async function callApi(
  app: { baseUrl: string; apiKey: string },
  route: string,
  init: { method?: string; body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  const key = init.key === undefined ? app.apiKey : init.key;
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${app.baseUrl}${route}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

/** A raw statement on the app's database: rows as plain objects. */
export type AppQuery = (q: string, params?: unknown[]) => Promise<any[]>;

/**
 * Run statements straight on a running app's database: on Postgres beside it; PGlite allows one
 * process per data folder, so there the app is stopped meanwhile and started again after.
 */
export async function onAppDatabase(app: RunningApp, run: (query: AppQuery) => Promise<void>) {
  if (app.databaseUrl) {
    const { default: postgres } = await import("postgres");
    const sql = postgres(app.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await run((q, params = []) => sql.unsafe(q, params as never[]) as Promise<any[]>);
    } finally {
      await sql.end();
    }
    return;
  }
  await app.stop();
  const { PGlite } = await import("@electric-sql/pglite");
  const pg = await PGlite.create(path.join(app.dataDir, "pglite"));
  try {
    await run(async (q, params = []) => (await pg.query(q, params)).rows as any[]);
  } finally {
    await pg.close();
  }
  await app.restart();
}
