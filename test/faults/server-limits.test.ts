import { connect, type Socket } from 'node:net';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config';
import { startService, type RunningService } from '../../src/server';
import { bearer, KEYS, serviceEnv, uniqueName } from '../support/harness';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { waitFor } from '../support/wait';

/** The service as `npm start` runs it (startService), on a port of its own, with `env` added. */
async function start(ctUrl: string, env: Record<string, string> = {}): Promise<RunningService> {
  const projectKey = uniqueName('limits');
  const config = loadConfig(
    serviceEnv(projectKey, ctUrl, {
      REDIS_URL: process.env.TEST_REDIS_URL ?? '',
      REDIS_KEY_PREFIX: `${projectKey}:`,
      PORT: '0',
      ...env,
    }),
  );
  return startService(config, pino({ level: 'silent' }), { host: '127.0.0.1' });
}

const openConnections = (service: RunningService) =>
  new Promise<number>((resolve, reject) =>
    service.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );

describe('HTTP server limits', () => {
  const ctUrl = process.env.TEST_CT_URL ?? '';

  test('when the service starts with the defaults, then idle connections outlive a 60 s load balancer timeout and every wait is bounded', async () => {
    const service = await start(ctUrl);
    try {
      const { keepAliveTimeout, headersTimeout, requestTimeout, maxConnections } = service.server;
      expect({ keepAliveTimeout, headersTimeout, requestTimeout, maxConnections }).toEqual({
        keepAliveTimeout: 65_000,
        headersTimeout: 66_000,
        requestTimeout: 76_000,
        maxConnections: 10_000,
      });
    } finally {
      await service.stop();
    }
  });

  test('when HTTP_MAX_CONNECTIONS connections are open, then the next one is closed unanswered and counted, and served once one closes', async () => {
    const service = await start(ctUrl, { HTTP_MAX_CONNECTIONS: '2' });
    const held: Socket[] = [];
    try {
      const { port } = new URL(service.url);
      for (let i = 0; i < 2; i++) held.push(connect(Number(port), '127.0.0.1'));
      await waitFor(async () => (await openConnections(service)) === 2, {
        intervalMs: 20,
        what: 'two open connections',
      });

      const refused = await fetch(`${service.url}/healthz`).then(
        (response) => response.status,
        (error: Error) => error.name,
      );

      expect(refused).toBe('TypeError');
      held.forEach((socket) => socket.destroy());
      await waitFor(async () => (await openConnections(service)) === 0, {
        intervalMs: 20,
        what: 'the held connections to close',
      });
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/^http_connections_dropped_total 1$/m);
    } finally {
      held.forEach((socket) => socket.destroy());
      await service.stop();
    }
  });

  test('when HTTP_REQUEST_TIMEOUT_MS is below the headers timeout, then the configuration is refused naming it', () => {
    const env = serviceEnv('limits', ctUrl, {
      REDIS_URL: 'redis://127.0.0.1:6379',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
      HTTP_REQUEST_TIMEOUT_MS: '30000',
    });

    const load = () => loadConfig(env);

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/HTTP_REQUEST_TIMEOUT_MS/);
  });

  describe('when an answer is held upstream for longer than the request timeout', () => {
    let proxy: RecordingProxy;
    beforeAll(async () => {
      proxy = await startRecordingProxy(ctUrl);
    });
    afterAll(() => proxy.close());

    // requestTimeout bounds receiving the request, not answering it: Node checks it every 30 s
    // (connectionsCheckingInterval), so the answer is held past that check.
    test('then the request is still answered, since the timeout bounds receiving the request only', async () => {
      const service = await start(proxy.url, {
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
        CTP_TIMEOUT_MS: '40000',
      });
      try {
        proxy.faults.push({
          match: (call) => call.method === 'GET' && call.path.endsWith('/carts'),
          fault: { kind: 'delay', ms: 32_000 },
          times: 1,
        });

        const response = await fetch(`${service.url}/v1/sessions`, {
          method: 'POST',
          headers: { ...bearer(KEYS.a), 'Content-Type': 'application/json' },
          body: '{}',
        });

        expect(service.server.requestTimeout).toBe(2000);
        expect(response.status).toBe(201);
      } finally {
        await service.stop();
      }
    }, 45_000);
  });
});
