import nodemailer from "nodemailer";
import { env } from "@/server/env";
import { log } from "@/server/lib/log";
import { safePost, type SafeResponse } from "../safe-request";
import { signWebhook, SIGNATURE_HEADER } from "../signature";

export interface AlertMessage {
  subject: string;
  text: string;
  /** The JSON a webhook receives. */
  payload: Record<string, unknown>;
}

export type ChannelConfig =
  | { type: "email"; to: string[] }
  | { type: "slack"; url: string }
  | { type: "webhook"; url: string; secret: string };

export interface SendResult {
  ok: boolean;
  status: number | null;
  body: string;
}

let transport: nodemailer.Transporter | null = null;

async function sendEmail(to: string[], message: AlertMessage): Promise<SendResult> {
  const { SMTP_URL, SMTP_FROM } = env();
  if (!SMTP_URL) {
    // Self-hosted without SMTP: the e-mail goes to the log, where an operator can see it.
    log.info("email (no SMTP_URL set: written to the log)", { to, subject: message.subject, text: message.text });
    return { ok: true, status: null, body: "logged (no SMTP_URL)" };
  }
  transport ??= nodemailer.createTransport(SMTP_URL);
  const info = await transport.sendMail({ from: SMTP_FROM, to, subject: message.subject, text: message.text });
  return { ok: info.rejected.length === 0, status: 250, body: String(info.response ?? "") };
}

function fromHttp(res: SafeResponse): SendResult {
  return { ok: res.status >= 200 && res.status < 300, status: res.status, body: res.body };
}

/** Send one message through one channel. Throws on network errors; `ok: false` on a non-2xx answer. */
export async function sendToChannel(config: ChannelConfig, message: AlertMessage): Promise<SendResult> {
  if (config.type === "email") return sendEmail(config.to, message);
  if (config.type === "slack") return fromHttp(await safePost(config.url, JSON.stringify({ text: `*${message.subject}*\n${message.text}` }), {}));
  const body = JSON.stringify(message.payload);
  return fromHttp(await safePost(config.url, body, { [SIGNATURE_HEADER]: signWebhook(config.secret, body) }));
}

/** Tests swap SMTP settings between cases. */
export function resetEmailTransport() {
  transport = null;
}
