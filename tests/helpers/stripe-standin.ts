import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import type { Driver } from "@/db/client";
import { resetEnvCache } from "@/server/env";
import { resetStripeClient } from "@/server/services/billing/stripe-client";
import { openTestDatabase } from "./db";

/**
 * A local stand-in for the Stripe API, enough for Tokenist's calls: it parses the real
 * client's form-encoded requests, keeps objects, dedupes meter events by identifier as
 * Stripe does, and records every request for assertions.
 */
export interface Recorded {
  method: string;
  path: string;
  params: Record<string, any>;
  idempotencyKey?: string;
}

function setPath(target: Record<string, any>, key: string, value: string) {
  const parts = key.replace(/\]/g, "").split("[");
  let cur = target;
  parts.forEach((p, i) => {
    if (i === parts.length - 1) cur[p] = value;
    else cur = cur[p] ??= /^\d+$/.test(parts[i + 1]!) ? [] : {};
  });
}

export function parseForm(text: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(text)) setPath(out, k, v);
  return out;
}

export async function startStripeStandIn() {
  const requests: Recorded[] = [];
  const store = {
    products: [] as any[],
    prices: [] as any[],
    meters: [] as any[],
    customers: [] as any[],
    subscriptions: new Map<string, any>(),
    sessions: [] as any[],
    meterEvents: new Map<string, any>(),
    idempotent: new Map<string, unknown>(),
  };
  const id = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;
  const list = (data: any[], url: string) => ({ object: "list", data, has_more: false, url });

  function route(method: string, path: string, params: Record<string, any>): [number, unknown] {
    if (method === "GET" && path === "/v1/products/search") {
      const m = /metadata\['(\w+)'\]:'(\w+)'/.exec(params.query ?? "");
      return [200, { object: "search_result", data: store.products.filter((p) => m && p.metadata?.[m[1]!] === m[2]), has_more: false }];
    }
    if (method === "POST" && path === "/v1/products") {
      const p = { id: id("prod"), object: "product", name: params.name, metadata: params.metadata ?? {} };
      store.products.push(p);
      return [200, p];
    }
    if (method === "GET" && path === "/v1/prices") {
      const keys: string[] = params.lookup_keys ?? [];
      return [
        200,
        list(
          store.prices.filter((p) => keys.includes(p.lookup_key)),
          "/v1/prices",
        ),
      ];
    }
    if (method === "POST" && path === "/v1/prices") {
      const p = {
        id: id("price"),
        object: "price",
        active: true,
        ...params,
        unit_amount: params.unit_amount ? Number(params.unit_amount) : null,
      };
      store.prices.push(p);
      return [200, p];
    }
    if (method === "GET" && path === "/v1/billing/meters") return [200, list(store.meters, "/v1/billing/meters")];
    if (method === "POST" && path === "/v1/billing/meters") {
      const m = { id: id("mtr"), object: "billing.meter", status: "active", ...params };
      store.meters.push(m);
      return [200, m];
    }
    if (method === "POST" && path === "/v1/customers") {
      const c = { id: id("cus"), object: "customer", ...params };
      store.customers.push(c);
      return [200, c];
    }
    if (method === "POST" && path === "/v1/checkout/sessions") {
      const s = { id: id("cs"), object: "checkout.session", url: `https://checkout.stripe.test/${id("c")}`, ...params };
      store.sessions.push(s);
      return [200, s];
    }
    if (method === "POST" && path === "/v1/billing_portal/sessions")
      return [200, { id: id("bps"), object: "billing_portal.session", url: "https://billing.stripe.test/p", ...params }];
    if (method === "POST" && path === "/v1/billing/meter_events") {
      if (!store.meterEvents.has(params.identifier)) store.meterEvents.set(params.identifier, params); // Stripe dedupes by identifier
      return [200, { object: "billing.meter_event", ...params }];
    }
    const sub = /^\/v1\/subscriptions\/(\w+)$/.exec(path);
    if (method === "GET" && sub) {
      const s = store.subscriptions.get(sub[1]!);
      return s ? [200, s] : [404, { error: { type: "invalid_request_error", message: "No such subscription" } }];
    }
    if (method === "GET" && path === "/v1/invoices") return [200, list([], "/v1/invoices")];
    return [404, { error: { type: "invalid_request_error", message: `stand-in has no ${method} ${path}` } }];
  }

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const url = new URL(req.url!, "http://stand-in");
      const params = parseForm(req.method === "GET" ? url.search.slice(1) : body);
      const key = req.headers["idempotency-key"] as string | undefined;
      requests.push({ method: req.method!, path: url.pathname, params, idempotencyKey: key });
      const cacheKey = key && `${req.method} ${url.pathname} ${key}`;
      const [status, answer] =
        cacheKey && store.idempotent.has(cacheKey) ? [200, store.idempotent.get(cacheKey)] : route(req.method!, url.pathname, params);
      if (cacheKey && status === 200) store.idempotent.set(cacheKey, answer);
      res.writeHead(status, { "content-type": "application/json", "request-id": id("req") }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    store,
    /** Make a subscription exist as Stripe would return it. */
    putSubscription(sub: {
      id: string;
      customer: string;
      status: string;
      priceLookupKeys: string[];
      metadata?: Record<string, string>;
      trialEnd?: number;
    }) {
      const s = {
        id: sub.id,
        object: "subscription",
        customer: sub.customer,
        status: sub.status,
        metadata: sub.metadata ?? {},
        trial_end: sub.trialEnd ?? null,
        items: {
          object: "list",
          data: sub.priceLookupKeys.map((k) => ({
            id: id("si"),
            price: store.prices.find((p) => p.lookup_key === k) ?? { id: id("price"), lookup_key: k },
            current_period_end: Math.floor(Date.now() / 1000) + 30 * 86400,
          })),
        },
      };
      store.subscriptions.set(sub.id, s);
      return s;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A billing suite's set-up on one database: the Stripe stand-in, the environment pointing the
 * real stripe client at it (with `webhookSecret`), and every cached Stripe client and env value
 * reset before and after. Call inside a describe; read `.database` / `.stripeApi` in tests.
 */
export function useStripeStandIn(driver: Driver, webhookSecret: string, onReset: () => void = () => {}) {
  const suite = {} as { database: Awaited<ReturnType<typeof openTestDatabase>>; stripeApi: Awaited<ReturnType<typeof startStripeStandIn>> };
  beforeAll(async () => {
    suite.database = await openTestDatabase(driver);
    suite.stripeApi = await startStripeStandIn();
    Object.assign(process.env, {
      STRIPE_SECRET_KEY: "sk_test_standin",
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_URL: suite.stripeApi.url,
    });
    resetEnvCache();
    resetStripeClient();
    onReset();
  });
  afterAll(async () => {
    for (const k of ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_URL"]) delete process.env[k];
    resetEnvCache();
    resetStripeClient();
    await suite.stripeApi.close();
    await suite.database.close();
  });
  return suite;
}
