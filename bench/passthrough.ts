import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool } from 'undici';

/**
 * The floors: what anyone gets who writes the integration by hand. A bare `node:http` server that
 * forwards each GET to the stub with a client-credentials token (fetched once) and a correlation id,
 * parses the JSON answer and sends it back serialised, as a hand-written handler does
 * (`res.end(JSON.stringify(await answer.json()))`). No auth, validation, logging, metrics or Redis.
 * It imports nothing of the service, so it does not move when the service changes.
 *
 * - `CLIENT=fetch`: global `fetch` (the SDK's default client).
 * - `CLIENT=undici`: an undici `Pool` with `request` (keep-alive, no WHATWG layer): the floor of any
 *   Node process in between.
 *
 * Env: UPSTREAM (the stub's URL), PORT (0: a free one), CLIENT (fetch | undici). Prints its URL on stdout.
 */
type Forward = (path: string, headers: Record<string, string>) => Promise<{ status: number; body: unknown }>;

function fetchForward(upstream: string): Forward {
  return async (path, headers) => {
    const answer = await fetch(`${upstream}${path}`, { headers });
    return { status: answer.status, body: await answer.json() };
  };
}

function undiciForward(upstream: string): Forward {
  // No connection limit, as fetch's global agent: neither floor queues in a pool.
  const pool = new Pool(upstream, { keepAliveTimeout: 60_000 });
  return async (path, headers) => {
    const answer = await pool.request({ path, method: 'GET', headers });
    return { status: answer.statusCode, body: await answer.body.json() };
  };
}

async function fetchToken(upstream: string): Promise<string> {
  const response = await fetch(`${upstream}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from('bench:bench-secret').toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function main(): Promise<void> {
  const upstream = process.env.UPSTREAM ?? '';
  const forward = process.env.CLIENT === 'undici' ? undiciForward(upstream) : fetchForward(upstream);
  const authorization = `Bearer ${await fetchToken(upstream)}`;
  const server = createServer((req, res) => {
    forward(req.url ?? '/', { Authorization: authorization, 'X-Correlation-ID': randomUUID() }).then(
      ({ status, body }) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(text),
        });
        res.end(text);
      },
      () => {
        res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end('{"message":"upstream failed"}');
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  // A normal exit, so --cpu-prof writes its profile.
  process.once('SIGTERM', () => process.exit(0));
  process.once('disconnect', () => process.exit(0));
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`passthrough failed: ${(error as Error).message}\n`);
  process.exit(1);
});
