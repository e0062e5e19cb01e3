import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import { resultRows, type Db } from "@/db/client";
import { env } from "@/server/env";
import { floorToHour } from "../core/time";

/**
 * Report tracked requests to the Stripe meter: one aggregated meter event per workspace and
 * completed UTC hour, with the deterministic identifier `tokenist:<workspace>:<hour>`. Counts
 * that arrive for an hour after it was reported (another process's last second, a flush after
 * a database outage) are reported as their difference, identified by what was reported before
 * (`…:from:<n>`), so nothing tracked goes unbilled (L3). What was reported is kept in
 * meter_reports: a re-run (or a crash between Stripe's answer and our commit, which Stripe's
 * identifier dedupe covers) never bills twice.
 */
export async function reportUsageToStripe(db: Db, stripe: Stripe, now = new Date()) {
  const before = floorToHour(now).toISOString(); // only completed hours
  const due = resultRows<{ workspace_id: string; hour: Date | string; count: string; reported: string; customer: string }>(
    await db.execute(sql`select c.workspace_id, c.hour, c.count::text as count, coalesce(r.quantity, 0)::text as reported,
        w.stripe_customer_id as customer
      from request_counters c join workspaces w on w.id = c.workspace_id
      left join meter_reports r on r.workspace_id = c.workspace_id and r.hour = c.hour
      where w.stripe_customer_id is not null and w.subscription_status in ('trialing', 'active', 'past_due')
        and c.hour < ${before}::timestamptz
        and c.hour >= w.created_at - interval '1 hour'
        and c.hour > now() - interval '35 days'
        and c.count > coalesce(r.quantity, 0)
      order by c.hour limit 1000`),
  );
  let reported = 0;
  let requests = 0;
  for (const row of due) {
    const hour = new Date(row.hour);
    const [count, already] = [Number(row.count), Number(row.reported)];
    const base = `tokenist:${row.workspace_id}:${hour.toISOString()}`;
    const identifier = already === 0 ? base : `${base}:from:${already}`;
    await stripe.billing.meterEvents.create({
      event_name: env().STRIPE_METER_EVENT,
      payload: { stripe_customer_id: row.customer, value: String(count - already) },
      identifier,
      timestamp: Math.floor(hour.getTime() / 1000) + 3599, // inside the hour it counts
    });
    await db.execute(sql`insert into meter_reports (workspace_id, hour, quantity, identifier)
      values (${row.workspace_id}, ${hour.toISOString()}::timestamptz, ${count}, ${identifier})
      on conflict (workspace_id, hour) do update set quantity = greatest(meter_reports.quantity, excluded.quantity),
        identifier = excluded.identifier, reported_at = now()`);
    reported++;
    requests += count - already;
  }
  return { reported, requests };
}
