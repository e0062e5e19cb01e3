import { resetMailTransport, sendMail } from "../email/send-mail";
import { allowPrivateWebhooks, BlockedAddressError } from "@/server/lib/address-guard";
import { safePost, type SafeResponse } from "@/server/lib/safe-request";
import { signWebhook, SIGNATURE_HEADER } from "./signature";

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

/**
 * A "slack" channel posts unsigned JSON, so it must really be Slack: otherwise it would be a
 * generic webhook on the Starter plan. Private receivers only in development mode.
 */
export function assertSlackUrl(raw: string) {
  if (allowPrivateWebhooks()) return;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (url?.protocol !== "https:" || url.hostname !== "hooks.slack.com" || url.port !== "") {
    throw new BlockedAddressError("Slack channels take a Slack incoming-webhook URL (https://hooks.slack.com/...)");
  }
}

/**
 * Tenant-chosen text (channel and alert names) as part of a subject line: control characters
 * and line breaks become spaces, runs of space collapse, and it is cut to `max` characters.
 */
export function subjectText(text: string, max: number): string {
  const flat = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const chars = [...flat]; // by code point: a cut never leaves half a surrogate pair
  return chars.length > max
    ? `${chars
        .slice(0, max - 1)
        .join("")
        .trimEnd()}…`
    : flat;
}

const MAX_SUBJECT = 160;

function sendEmail(to: string[], message: AlertMessage): Promise<SendResult> {
  return sendMail(to, subjectText(message.subject, MAX_SUBJECT), message.text);
}

function fromHttp(res: SafeResponse): SendResult {
  return { ok: res.status >= 200 && res.status < 300, status: res.status, body: res.body };
}

/** Send one message through one channel within DELIVERY_LIMITS.deadlineMs. Throws on network errors; `ok: false` on a non-2xx answer. */
export async function sendToChannel(config: ChannelConfig, message: AlertMessage): Promise<SendResult> {
  if (config.type === "email") return sendEmail(config.to, message);
  if (config.type === "slack") {
    assertSlackUrl(config.url);
    return fromHttp(await safePost(config.url, JSON.stringify({ text: `*${message.subject}*\n${message.text}` }), {}));
  }
  const body = JSON.stringify(message.payload);
  return fromHttp(await safePost(config.url, body, { [SIGNATURE_HEADER]: signWebhook(config.secret, body) }));
}

/** Tests swap SMTP settings between cases. */
export function resetEmailTransport() {
  resetMailTransport();
}
