import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import { resultRows, type Db } from "@/db/client";
import { env } from "@/server/env";
import { floorToHour } from "../metering/time";

/**
 * Report tracked requests to the Stripe meter: one aggregated meter event per workspace and
 * completed UTC hour, with the deterministic identifier `tokenist:<workspace>:<hour>`.
 * Reported hours are kept in meter_reports, so a re-run (or a crash between Stripe's answer
 * and our commit, which Stripe's identifier dedupe covers) never bills twice.
 */
export async function reportUsageToStripe(db: Db, stripe: Stripe, now = new Date()) {
  const before = floorToHour(now).toISOString(); // only completed hours: their counts are final
  const due = resultRows<{ workspace_id: string; hour: Date | string; count: string; customer: string }>(
    await db.execute(sql`select c.workspace_id, c.hour, c.count::text as count, w.stripe_customer_id as customer
      from request_counters c join workspaces w on w.id = c.workspace_id
      where w.stripe_customer_id is not null and w.subscription_status in ('trialing', 'active', 'past_due')
        and c.hour < ${before}::timestamptz
        and c.hour >= w.created_at - interval '1 hour'
        and c.hour > now() - interval '35 days'
        and not exists (select 1 from meter_reports r where r.workspace_id = c.workspace_id and r.hour = c.hour)
      order by c.hour limit 1000`),
  );
  let reported = 0;
  for (const row of due) {
    const hour = new Date(row.hour);
    const identifier = `tokenist:${row.workspace_id}:${hour.toISOString()}`;
    await stripe.billing.meterEvents.create({
      event_name: env().STRIPE_METER_EVENT,
      payload: { stripe_customer_id: row.customer, value: row.count },
      identifier,
      timestamp: Math.floor(hour.getTime() / 1000) + 3599, // inside the hour it counts
    });
    await db.execute(sql`insert into meter_reports (workspace_id, hour, quantity, identifier)
      values (${row.workspace_id}, ${hour.toISOString()}::timestamptz, ${Number(row.count)}, ${identifier}) on conflict do nothing`);
    reported++;
  }
  return { reported, requests: due.reduce((s, r) => s + Number(r.count), 0) };
}
