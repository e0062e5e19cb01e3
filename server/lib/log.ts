/**
 * A small structured logger: one JSON line per entry on stdout/stderr. Errors are logged
 * with their name and message; stacks only outside production, and never sent to clients.
 */
type Fields = Record<string, unknown> & { err?: unknown };

function serialize(fields: Fields = {}) {
  const { err, ...rest } = fields;
  if (err instanceof Error) {
    return {
      ...rest,
      error: { name: err.name, message: err.message, ...(process.env.NODE_ENV !== "production" && { stack: err.stack }) },
    };
  }
  return err === undefined ? rest : { ...rest, error: String(err) };
}

function write(level: "info" | "warn" | "error", msg: string, fields?: Fields) {
  if (process.env.TOKENIST_LOG === "silent") return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), msg, ...serialize(fields) });
  (level === "error" ? process.stderr : process.stdout).write(line + "\n");
}

export const log = {
  info: (msg: string, fields?: Fields) => write("info", msg, fields),
  warn: (msg: string, fields?: Fields) => write("warn", msg, fields),
  error: (msg: string, fields?: Fields) => write("error", msg, fields),
};
