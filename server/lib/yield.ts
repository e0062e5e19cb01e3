/**
 * Let other requests run: a large body's CPU work (parsing, redacting a megabyte) is done in
 * turns, so a /sdk/check arriving meanwhile waits for one turn, not for the whole body.
 */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Bodies smaller than this are handled in one go: yielding would cost more than it saves. */
export const LARGE_BODY_CHARS = 64 * 1024;
