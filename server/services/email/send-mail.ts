import nodemailer from "nodemailer";
import { env } from "@/server/env";
import { log } from "@/server/lib/log";
import { abortable } from "@/server/lib/address-guard";
import { deadline, DELIVERY_LIMITS } from "@/server/lib/safe-request";

export interface MailResult {
  ok: boolean;
  status: number | null;
  body: string;
}

let transport: nodemailer.Transporter | null = null;

/**
 * One plain-text e-mail through SMTP_URL within DELIVERY_LIMITS.deadlineMs (alerts, e-mail
 * verification). Without SMTP_URL it goes to the log, where a self-hosting operator sees it.
 * Throws on network errors; `ok: false` when the server refused a recipient.
 */
export async function sendMail(to: string[], subject: string, text: string): Promise<MailResult> {
  const { SMTP_URL, SMTP_FROM } = env();
  if (!SMTP_URL) {
    log.info("email (no SMTP_URL set: written to the log)", { to, subject, text });
    return { ok: true, status: null, body: "logged (no SMTP_URL)" };
  }
  const ms = DELIVERY_LIMITS.deadlineMs;
  transport ??= nodemailer.createTransport({ url: SMTP_URL, connectionTimeout: ms, greetingTimeout: ms, socketTimeout: ms });
  // nodemailer's timeouts are per step; the race makes the whole send one deadline.
  const { signal, clear } = deadline(ms);
  try {
    const info = await abortable(transport.sendMail({ from: SMTP_FROM, to, subject, text }), signal);
    return { ok: info.rejected.length === 0, status: 250, body: String(info.response ?? "") };
  } finally {
    clear();
  }
}

/** Tests swap SMTP settings between cases. */
export function resetMailTransport() {
  transport = null;
}
