import http from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on a free local port (or `port`) that keeps every message it receives. */
export async function startSmtpServer(port = 0) {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (d) => (raw += d));
      stream.on("end", () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  // A sender that drops its connection mid-message (a test kills the app while it sends) makes
  // smtp-server emit "error"; unheard, that is an uncaught exception in the test process. Kept
  // for tests that want to see them.
  const errors: Error[] = [];
  server.on("error", (err) => errors.push(err));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${bound}`, messages, errors, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A received message's text body, quoted-printable decoded (nodemailer wraps long lines that way). */
export function mailText(mail: ReceivedMail): string {
  const [head = "", ...rest] = mail.raw.split("\r\n\r\n");
  const body = rest.join("\r\n\r\n");
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(head)) return body;
  return body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered (startHttpReceiver). */
  status?: number;
}

/**
 * An HTTP receiver (Slack-style or webhook): records requests, answers `status` (changeable),
 * after `delayMs` when set (so concurrent senders overlap).
 */
export async function startHttpReceiver(options: { status?: number; delayMs?: number } = {}) {
  const requests: ReceivedRequest[] = [];
  const state = { status: options.status ?? 200 };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      requests.push({ headers: req.headers, body, status: state.status });
      const answer = () => res.writeHead(state.status, { "content-type": "text/plain" }).end(state.status < 300 ? "ok" : "failing");
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    setStatus: (s: number) => (state.status = s),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A hostile receiver (M1): answers 200 with its headers at once, then its body without end —
 * `trickle`: one byte every `intervalMs` (an idle timeout never fires); `flood`: 16 KB chunks as
 * fast as the socket takes them. `hungUp` counts answers the caller dropped before they ended.
 */
export async function startEndlessReceiver(mode: "trickle" | "flood", intervalMs = 1000) {
  const requests: ReceivedRequest[] = [];
  const state = { hungUp: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      requests.push({ headers: req.headers, body });
      res.writeHead(200, { "content-type": "text/plain" });
      res.flushHeaders();
      res.on("close", () => {
        if (!res.writableEnded) state.hungUp++;
      });
      if (mode === "trickle") {
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write("x")), intervalMs);
        timers.add(timer);
      } else {
        const chunk = Buffer.alloc(16 * 1024, "y");
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once("drain", pump);
        };
        pump();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    state,
    close: () => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
