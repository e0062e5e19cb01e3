import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { members, memberships } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import { resetEnvCache } from "@/server/env";
import { resetEmailTransport } from "@/server/services/channels/send";
import { createChannel, getChannel, listChannels, sendTestMessage } from "@/server/services/alerts/manage-channels";
import { resetTestMessageLimit, takeTestMessage, TEST_MESSAGE_LIMIT } from "@/server/services/alerts/test-message-limit";
import { createApiKey } from "@/server/services/api-keys/manage-api-keys";
import type { ServiceCtx } from "@/server/services/context";
import { InvalidInputError, RateLimitedError } from "@/server/services/errors";
import { newId } from "@/server/lib/ids";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";
import { startSmtpServer } from "../helpers/receivers";

const SLACK_URL = "https://hooks.slack.com/services/T0001/B0002/SeCrEtToKeNwxyz";
const WEBHOOK_URL = "https://hooks.example.com/tokenist?token=hook-credential-1234";

/** The Subject header of a raw message, unfolded and with RFC 2047 words decoded. */
function subjectOf(raw: string): string {
  const header = raw.split("\r\n\r\n")[0]!.replace(/\r\n[ \t]+/g, " ");
  const line = header.split("\r\n").find((l) => /^subject:/i.test(l))!;
  return line
    .slice("subject:".length)
    .trim()
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toLowerCase() === "b"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(
            text.replace(/_/g, " ").replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            "latin1",
          ).toString("utf8"),
    );
}

describe.each(TEST_DRIVERS)("alert channels as each caller sees them, and test messages, on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterEach(() => {
    delete process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS;
    delete process.env.SMTP_URL;
    resetEnvCache();
    resetEmailTransport();
    resetTestMessageLimit();
  });
  afterAll(() => database.close());

  const devMode = () => {
    process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS = "1"; // skips DNS for the made-up hosts below
    resetEnvCache();
  };

  async function workspaceWithChannels() {
    const ws = await createTestWorkspace(database.db, "Channels", "growth");
    devMode();
    const email = await createChannel({
      ctx: ws.ctx,
      input: { type: "email", name: "On-call", to: ["oncall@example.com", "cto@example.com"] },
    });
    const slack = await createChannel({ ctx: ws.ctx, input: { type: "slack", name: "#alerts", url: SLACK_URL } });
    const webhook = await createChannel({ ctx: ws.ctx, input: { type: "webhook", name: "Ops", url: WEBHOOK_URL } });
    const [viewer] = await database.db
      .insert(members)
      .values({ id: newId("mem"), email: `viewer-${newId("x")}@example.com` })
      .returning();
    await database.db.insert(memberships).values({ workspaceId: ws.ctx.workspaceId, memberId: viewer!.id, role: "viewer" });
    const keyCtx = async (scopes: ("read" | "write" | "sdk")[]): Promise<ServiceCtx> => {
      const key = await createApiKey({ ctx: ws.ctx, input: { name: scopes.join("+"), scopes } });
      return { ...ws.ctx, actor: { type: "api_key", id: key.id } };
    };
    return { ...ws, email, slack, webhook, viewerId: viewer!.id, keyCtx };
  }

  it("L1: viewers and read keys see no Slack URL, webhook URL, secret or recipient; admins see recipients, never the secret", async () => {
    const w = await workspaceWithChannels();
    expect(w.webhook.config.secret).toMatch(/^whsec_/); // shown once, in the answer that creates it
    expect(w.slack.config.url).toBe(SLACK_URL);
    const secret = w.webhook.config.secret as string;

    const asViewer = await createCaller({ db: database.db, memberId: w.viewerId }).alerts.channels({ workspaceId: w.ctx.workspaceId });
    const asReadKey = await listChannels({ ctx: await w.keyCtx(["read"]) });
    const oneAsReadKey = await getChannel({ ctx: await w.keyCtx(["read", "sdk"]), id: w.slack.id });
    for (const listing of [asViewer, asReadKey, [oneAsReadKey]]) {
      const text = JSON.stringify(listing);
      for (const hidden of ["SeCrEtToKeN", "hook-credential", "oncall@", "cto@", secret, "whsec_"]) expect(text).not.toContain(hidden);
    }
    const byType = (list: typeof asViewer) => Object.fromEntries(list.map((c) => [c.type, c.config]));
    expect(byType(asViewer)).toEqual({
      email: { recipients: 2 },
      slack: { url: "https://hooks.slack.com/…wxyz" },
      webhook: { url: "https://hooks.example.com/…1234" },
    });
    expect(byType(asReadKey)).toEqual(byType(asViewer));

    // Owners and write keys: recipients and the webhook URL; the Slack URL and the secret stay hidden.
    const asOwner = await createCaller({ db: database.db, memberId: w.member.id }).alerts.channels({ workspaceId: w.ctx.workspaceId });
    const asWriteKey = await listChannels({ ctx: await w.keyCtx(["read", "write"]) });
    for (const list of [asOwner, asWriteKey]) {
      expect(byType(list)).toEqual({
        email: { to: ["oncall@example.com", "cto@example.com"] },
        slack: { url: "https://hooks.slack.com/…wxyz" },
        webhook: { url: WEBHOOK_URL },
      });
    }
  });

  it("L1: a slack channel takes only a https://hooks.slack.com/ URL, unless private webhooks are allowed for development", async () => {
    const { ctx } = await createTestWorkspace(database.db, "Slack only", "starter");
    for (const url of [
      "https://example.com/services/T0/B0/x",
      "http://hooks.slack.com/services/T0/B0/x",
      "https://hooks.slack.com.example.net/x",
    ]) {
      await expect(createChannel({ ctx, input: { type: "slack", name: "not slack", url } }), url).rejects.toThrow(InvalidInputError);
    }
    await expect(createChannel({ ctx, input: { type: "slack", name: "not slack", url: "https://example.com/x" } })).rejects.toThrow(
      "Slack channels take a Slack incoming-webhook URL (https://hooks.slack.com/...)",
    );
    devMode();
    await expect(createChannel({ ctx, input: { type: "slack", name: "local", url: "http://127.0.0.1:9/hook" } })).resolves.toMatchObject({
      type: "slack",
    });
  });

  it("L4: test messages are limited per workspace (5 per 10 minutes), other workspaces unaffected", async () => {
    const a = await createTestWorkspace(database.db, "Spammy", "starter");
    const b = await createTestWorkspace(database.db, "Quiet", "starter");
    const channelA = await createChannel({ ctx: a.ctx, input: { type: "email", name: "mail", to: ["x@example.com"] } });
    const channelB = await createChannel({ ctx: b.ctx, input: { type: "email", name: "mail", to: ["y@example.com"] } });
    for (let i = 0; i < TEST_MESSAGE_LIMIT.count; i++)
      await expect(sendTestMessage({ ctx: a.ctx, id: channelA.id })).resolves.toMatchObject({ status: "sent" });
    const refused = await sendTestMessage({ ctx: a.ctx, id: channelA.id }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).status).toBe(429);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(500);
    await expect(sendTestMessage({ ctx: b.ctx, id: channelB.id })).resolves.toMatchObject({ status: "sent" });
    // The window slides: ten minutes after the first, there is room again.
    expect(() => takeTestMessage(a.ctx.workspaceId, Date.now() + TEST_MESSAGE_LIMIT.windowMs + 1)).not.toThrow();
  });

  it("L4: the channel name reaches the e-mail subject without its line breaks and cut to 40 characters", async () => {
    const smtp = await startSmtpServer();
    try {
      process.env.SMTP_URL = smtp.url;
      resetEnvCache();
      resetEmailTransport();
      const { ctx } = await createTestWorkspace(database.db, "Subjects", "starter");
      const injected = await createChannel({
        ctx,
        input: { type: "email", name: "Ops\r\nBcc: victim@example.com", to: ["ops@example.com"] },
      });
      const long = await createChannel({
        ctx,
        input: { type: "email", name: `Click https://evil.example/login now ${"!".repeat(60)}`, to: ["ops@example.com"] },
      });
      await sendTestMessage({ ctx, id: injected.id });
      await sendTestMessage({ ctx, id: long.id });
      expect(smtp.messages.map((m) => m.to)).toEqual([["ops@example.com"], ["ops@example.com"]]);
      expect(smtp.messages[0]!.raw).not.toMatch(/^bcc:/im);
      expect(subjectOf(smtp.messages[0]!.raw)).toBe('Tokenist test message for "Ops Bcc: victim@example.com"');
      expect(subjectOf(smtp.messages[1]!.raw)).toBe(`Tokenist test message for "Click https://evil.example/login now !!…"`);
    } finally {
      await smtp.close();
    }
  });
});
