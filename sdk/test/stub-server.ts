// A node:http server for the SDK's tests: records every request, answers with `handle`.
// Test-only (not in the package's `files`).
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface StubServer {
  url: string;
  requests: SeenRequest[];
  close: () => Promise<void>;
}

/** `handle` answers through `res`; leaving it unanswered makes the server stall. */
export async function startStub(handle: (req: SeenRequest, res: http.ServerResponse, n: number) => void): Promise<StubServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        // not JSON: keep the text
      }
      const seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, json };
      requests.push(seen);
      handle(seen, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
