// A real HTTP server on a loopback address for tests: serve fixed routes or a handler, record
// every request (so "the canary got 0 hits" is a plain assertion), and close even when tests
// left sockets hanging on purpose (drip feeds, servers that never answer).
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** May return anything (a promise is awaited so its rejection becomes a 500). */
export type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** A fixed response; `headers` are sent as given (add content-type yourself). */
export interface StaticRoute {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Keyed by path with query ("/feed?page=2") or by pathname ("/feed"); other paths get 404. */
export type Routes = Record<string, Handler | StaticRoute>;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface FixtureServer {
  /** Origin without a trailing slash, e.g. "http://127.0.0.2:41234". */
  url: string;
  host: string;
  port: number;
  /** "GET /path" for every request received, in arrival order. */
  hits: string[];
  requests: RecordedRequest[];
  /** TCP connections accepted so far (connection reuse shows up here). */
  connections: () => number;
  close(): Promise<void>;
}

function routeHandler(routes: Routes): Handler {
  return async (req, res) => {
    const path = req.url ?? '/';
    const route = routes[path] ?? routes[path.split('?')[0]!];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route for ${path}`);
      return;
    }
    if (typeof route === 'function') return route(req, res);
    res.writeHead(route.status ?? 200, route.headers ?? {});
    res.end(route.body ?? '');
  };
}

export async function startServer(handlerOrRoutes: Handler | Routes, opts: { host?: string } = {}): Promise<FixtureServer> {
  const host = opts.host ?? '127.0.0.1';
  const handler = typeof handlerOrRoutes === 'function' ? handlerOrRoutes : routeHandler(handlerOrRoutes);
  const hits: string[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.push(`${req.method} ${path}`);
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fixture handler failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  server.on('connection', (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shown}:${port}`,
    host,
    port,
    hits,
    requests,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
