// What the labellers see of one recorded event: its turn (the end user's words, the model's
// reply, or only the reply when that is all the caller sent) and the conversation before it, the
// workspace's usage policy, custom labels and whether the LLM may see the text unredacted. Read from event_texts (server/services/intent/
// label-text.ts), never from payload logs, so it works with payload logging off.
import { sql } from "drizzle-orm";
import { resultRows, type Queryable } from "@/db/client";
import { getWorkspaceState } from "../core/workspace-state";

/** At most this many turns, and about this many characters, of a conversation go to the LLM. */
export const MAX_TURNS = 20;
export const MAX_CONVERSATION_CHARS = 24_000;

export interface TLabelTurn {
  input: string | null;
  output: string | null;
}

/** Where the labels go: serialisable, without text (it is an Inngest step result). */
export interface TLabelTarget {
  workspaceId: string;
  eventId: string;
  userId: string | null;
  conversationId: string | null;
  occurredAt: string;
}

export interface TLabelTask extends TLabelTarget {
  /** Oldest first; the event's own turn is the last. */
  turns: TLabelTurn[];
  usagePolicy: string | null;
  customLabels: Array<{ name: string; description: string }>;
  /** The workspace's llmLabelRawText: false (the default) masks personal data and secrets before the LLM sees the text. */
  sendRawText: boolean;
}

type TTextRow = {
  event_id: string;
  user_id: string | null;
  conversation_id: string | null;
  input: string | null;
  output: string | null;
  occurred_at: Date | string;
  labelled_at: Date | string | null;
};

/**
 * The labelling task of an event, or null when there is nothing (left) to label: no text was
 * sent, it was labelled already (a redelivery), or its text expired. A turn with only the
 * model's reply (`sentiment`/`output` without `input`) is a task like any other.
 */
export async function loadLabelTask(db: Queryable, input: { workspaceId: string; eventId: string }): Promise<TLabelTask | null> {
  const [row] = resultRows<TTextRow>(
    await db.execute(sql`select event_id, user_id, conversation_id, input, output, occurred_at, labelled_at
      from event_texts where workspace_id = ${input.workspaceId} and event_id = ${input.eventId}`),
  );
  if (!row || row.labelled_at) return null;
  const occurredAt = new Date(row.occurred_at);
  let turns: TLabelTurn[] = [{ input: row.input, output: row.output }];
  if (row.conversation_id) {
    // Earlier turns of the conversation (still within the text TTL), newest first, then reversed.
    const earlier = resultRows<TTextRow>(
      await db.execute(sql`select event_id, input, output from event_texts
        where workspace_id = ${input.workspaceId} and conversation_id = ${row.conversation_id}
          and event_id <> ${row.event_id}
          and (occurred_at < ${occurredAt.toISOString()}::timestamptz
               or (occurred_at = ${occurredAt.toISOString()}::timestamptz and event_id < ${row.event_id}))
        order by occurred_at desc, event_id desc limit ${MAX_TURNS - 1}`),
    );
    turns = [...earlier.reverse().map((r) => ({ input: r.input, output: r.output })), ...turns];
  }
  const state = await getWorkspaceState(db, input.workspaceId);
  return {
    workspaceId: input.workspaceId,
    eventId: row.event_id,
    userId: row.user_id,
    conversationId: row.conversation_id,
    occurredAt: occurredAt.toISOString(),
    turns: capTurns(turns),
    usagePolicy: state.usagePolicy,
    customLabels: state.customLabels,
    sendRawText: state.llmLabelRawText,
  };
}

/** Drop the oldest turns until the conversation fits; the last turn always stays. */
export function capTurns(turns: TLabelTurn[]): TLabelTurn[] {
  const size = (t: TLabelTurn) => (t.input?.length ?? 0) + (t.output?.length ?? 0);
  let total = turns.reduce((n, t) => n + size(t), 0);
  let start = Math.max(0, turns.length - MAX_TURNS);
  while (start < turns.length - 1 && total > MAX_CONVERSATION_CHARS) total -= size(turns[start++]!);
  return turns.slice(start);
}

/** The end user's latest words: what the built-in classifier labels (it is trained on users' words, not replies). */
export function latestInput(task: Pick<TLabelTask, "turns">): string {
  return task.turns.at(-1)?.input ?? "";
}
