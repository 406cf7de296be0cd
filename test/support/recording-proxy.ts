import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** The client port of the connection it came on: one per connection the service opened. */
  connection: number;
}

/**
 * What the proxy does to a matching request instead of passing it through:
 * - `drop-response`: forwards it (commercetools acts on it) but cuts the connection before the answer;
 * - `reset`: cuts the connection without forwarding (commercetools never sees it);
 * - `status`: answers the given status without forwarding (a failing commercetools);
 * - `html`: answers the given status with an HTML page without forwarding (a load balancer in front of it);
 * - `delay`: forwards it after `ms` milliseconds (a slow commercetools);
 * - `compress`: forwards it and sends the answer compressed with `encoding` (as commercetools does when asked);
 * - `stall-body`: forwards it, sends the answer's headers and half its body, the rest after `ms` milliseconds.
 */
export type Fault =
  | { kind: 'drop-response' }
  | { kind: 'reset' }
  | { kind: 'status'; status: number }
  | { kind: 'html'; status: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'compress'; encoding: 'gzip' | 'br' | 'deflate' }
  | { kind: 'stall-body'; ms: number };

const COMPRESS = { gzip: gzipSync, br: brotliCompressSync, deflate: deflateSync };

/** The whole answer of commercetools, then `send` with it. */
function readAll(res: IncomingMessage, send: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => send(Buffer.concat(chunks)));
}

export interface FaultRule {
  match: (call: RecordedCall) => boolean;
  fault: Fault;
  /** How many matching requests it applies to; unlimited when absent. */
  times?: number;
}

export interface RecordingProxy {
  url: string;
  calls: RecordedCall[];
  faults: FaultRule[];
  close(): Promise<void>;
}

/**
 * A pass-through HTTP proxy in front of the emulator: records what the service sends to
 * commercetools, and injects faults (lost responses, failures, slowness) on chosen requests.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const calls: RecordedCall[] = [];
  const faults: FaultRule[] = [];
  const upstream = new URL(target);

  const forward = (
    req: IncomingMessage,
    raw: Buffer,
    onResponse: (res: IncomingMessage) => void,
    onError: () => void,
  ) => {
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      onResponse,
    );
    outgoing.on('error', onError);
    outgoing.end(raw);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', target);
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        body = raw.toString('utf8');
      }
      const call: RecordedCall = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        body,
        headers: req.headers,
        connection: req.socket.remotePort ?? 0,
      };
      calls.push(call);
      const rule = faults.find((r) => (r.times === undefined || r.times > 0) && r.match(call));
      if (rule && rule.times !== undefined) rule.times -= 1;
      const fault = rule?.fault;
      const pass = () =>
        forward(
          req,
          raw,
          (upstreamRes) => {
            res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
            upstreamRes.pipe(res);
          },
          () => res.socket?.destroy(),
        );
      if (!fault) return pass();
      switch (fault.kind) {
        case 'drop-response':
          return forward(
            req,
            raw,
            (upstreamRes) => {
              upstreamRes.resume();
              upstreamRes.on('end', () => res.socket?.destroy());
            },
            () => res.socket?.destroy(),
          );
        case 'reset':
          return res.socket?.destroy();
        case 'status':
          res.writeHead(fault.status, { 'Content-Type': 'application/json' });
          return res.end(
            JSON.stringify({
              statusCode: fault.status,
              message: 'injected failure',
              errors: [{ code: 'General', message: 'injected failure' }],
            }),
          );
        case 'html':
          res.writeHead(fault.status, { 'Content-Type': 'text/html' });
          return res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        case 'delay':
          return void setTimeout(pass, fault.ms);
        case 'compress':
          return forward(
            req,
            raw,
            (upstreamRes) =>
              readAll(upstreamRes, (body) => {
                const packed = COMPRESS[fault.encoding](body);
                const { 'content-length': _length, ...headers } = upstreamRes.headers;
                res.writeHead(upstreamRes.statusCode ?? 502, {
                  ...headers,
                  'content-encoding': fault.encoding,
                  'content-length': packed.length,
                });
                res.end(packed);
              }),
            () => res.socket?.destroy(),
          );
        case 'stall-body':
          return forward(
            req,
            raw,
            (upstreamRes) =>
              readAll(upstreamRes, (body) => {
                res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
                const half = Math.floor(body.length / 2);
                res.write(body.subarray(0, half));
                setTimeout(() => res.writableEnded || res.destroyed || res.end(body.subarray(half)), fault.ms);
              }),
            () => res.socket?.destroy(),
          );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
