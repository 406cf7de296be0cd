import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { buildCtpClient } from '../src/clients/commercetools.client';

/**
 * The floor for any service in front of commercetools: a bare proxy that forwards each GET to the
 * stub with the very client stack the service uses (`buildCtpClient`: the ts-client with its
 * client-credentials flow, correlation id and HTTP middlewares over global fetch/undici), parses
 * the JSON answer as the ts-client does and sends it back. No auth, validation, logging, metrics
 * or Redis: whatever the service costs beyond this is its own.
 *
 * `CLIENT=fetch` swaps the ts-client for one bare `fetch` per request (same JSON parse and
 * stringify), a reference point for how much of the floor the ts-client itself costs.
 *
 * Env: UPSTREAM (the stub's URL), PROJECT_KEY, PORT (0: a free one), CLIENT (ts-client | fetch).
 * Prints its URL on stdout.
 */
async function main(): Promise<void> {
  const upstream = process.env.UPSTREAM ?? '';
  const projectKey = process.env.PROJECT_KEY ?? 'bench';
  const client = buildCtpClient({
    projectKey,
    clientId: 'bench',
    clientSecret: 'bench-secret',
    authUrl: upstream,
    apiUrl: upstream,
    scopes: [`manage_project:${projectKey}`],
    timeoutMs: 10_000,
    correlationId: randomUUID,
  });
  const bareFetch = process.env.CLIENT === 'fetch';
  const token = bareFetch ? await fetchToken(upstream) : '';
  const forward = (uri: string): Promise<{ statusCode?: number; body?: unknown }> =>
    bareFetch
      ? fetch(`${upstream}${uri}`, {
          headers: { Authorization: `Bearer ${token}`, 'X-Correlation-ID': randomUUID() },
        }).then(async (response) => {
          const body: unknown = await response.json();
          if (!response.ok) throw Object.assign(new Error('upstream failed'), { statusCode: response.status });
          return { statusCode: response.status, body };
        })
      : client.execute({ method: 'GET', uri });
  const server = createServer((req, res) => {
    forward(req.url ?? '/').then(
      (result) => {
        const body = JSON.stringify(result.body);
        res.writeHead(result.statusCode ?? 200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
      },
      (error: { statusCode?: number }) => {
        res.writeHead(error.statusCode || 502, { 'Content-Type': 'application/json' });
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

main().catch((error: unknown) => {
  process.stderr.write(`passthrough failed: ${(error as Error).message}\n`);
  process.exit(1);
});
