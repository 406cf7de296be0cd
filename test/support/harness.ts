import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import pino from 'pino';
import request from 'supertest';
import { Cluster } from 'ioredis';
import { createApp } from '../../src/app';
import { connectRedis, type RedisClient } from '../../src/clients/redis.client';
import { serviceScopes } from '../../src/clients/ctp-scopes';
import { loadConfig, type Config } from '../../src/config';
import { compose, createParts, type AppParts } from '../../src/composition-root';
import { createHttpServer } from '../../src/server';
import { seedCatalogue } from '../../sandbox/catalogue';
import { startRecordingProxy, type FaultRule, type RecordedCall } from './recording-proxy';

/** Keys of the test clients: A and B are ordinary clients, ADMIN may see every session. */
export const KEYS = {
  a: 'secret-client-a-0000000001',
  b: 'secret-client-b-0000000002',
  admin: 'secret-admin-00000000000003',
  sessionsOnly: 'secret-sessions-only-000004',
  customersOnly: 'secret-customers-only-00005',
  /** Back-office tools of client-a and client-b: scope backoffice only. */
  backofficeA: 'secret-backoffice-a-0000000006',
  backofficeB: 'secret-backoffice-b-0000000007',
  /** Tills of one client in two stores (seeded `berlin-mitte`, `vienna-1`): bound to their store. */
  tillBerlin: 'secret-till-berlin-00000000008',
  tillVienna: 'secret-till-vienna-00000000009',
} as const;

export const API_KEYS = [
  `client-a:${KEYS.a}:sessions+customers`,
  `client-b:${KEYS.b}:sessions+customers`,
  `ops:${KEYS.admin}:admin`,
  `client-a:${KEYS.sessionsOnly}:sessions`,
  `client-a:${KEYS.customersOnly}:customers`,
  `client-a:${KEYS.backofficeA}:backoffice`,
  `client-b:${KEYS.backofficeB}:backoffice`,
].join(',');

/**
 * The tills, bound to the seeded stores: only in createTestContext, whose project is seeded (a service
 * started on an unseeded project would refuse to start, its stores being missing).
 */
export const TILL_API_KEYS = [
  `pos-tills:${KEYS.tillBerlin}:sessions+customers:berlin-mitte`,
  `pos-tills:${KEYS.tillVienna}:sessions+customers:vienna-1`,
].join(',');

/**
 * The environment of a service instance in the tests: commercetools at `ctUrl` (auth and API, or
 * `apiUrl` for the API), the test clients' keys, and whatever the test adds (Redis, port, limits).
 */
export function serviceEnv(
  projectKey: string,
  ctUrl: string,
  extra: Record<string, string> = {},
  apiUrl = ctUrl,
): Record<string, string> {
  return {
    CTP_PROJECT_KEY: projectKey,
    CTP_CLIENT_ID: 'service',
    CTP_CLIENT_SECRET: 'service-secret',
    CTP_AUTH_URL: ctUrl,
    CTP_API_URL: apiUrl,
    // The narrow set of docs/production.md, which the emulator enforces per endpoint: the set is tested.
    CTP_SCOPES: serviceScopes(projectKey).join(' '),
    API_KEYS,
    IDEMPOTENCY_SECRET: TEST_IDEMPOTENCY_SECRET,
    TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY,
    ...extra,
  };
}

/** Secrets every test instance shares, as a deployment's instances would. */
export const TEST_IDEMPOTENCY_SECRET = 'test-idempotency-secret-0123456789abcdef';
export const TEST_TOKEN_CACHE_KEY = Buffer.alloc(32, 7).toString('base64');

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface TestContext {
  projectKey: string;
  /** The configuration the app was built from, to build more instances of the same service. */
  config: Config;
  skus: string[];
  server: Server;
  http: ReturnType<typeof request>;
  /** The app's Redis connection: one server, or a Redis Cluster with `redisClusterNodes`. */
  redis: RedisClient;
  redisPrefix: string;
  /** Requests the service sent to commercetools (only with `record: true`). */
  upstreamCalls: RecordedCall[];
  /** Faults to inject into the service's commercetools calls (only with `record: true`). */
  faults: FaultRule[];
  /** Direct access to the emulator's HTTP API, bypassing the service. */
  ct(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

async function emulatorToken(ctUrl: string): Promise<string> {
  const response = await fetch(`${ctUrl}/oauth/token?grant_type=client_credentials`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from('test:test').toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

/** The real app around real Redis and the emulator over HTTP, in a project of its own. */
export async function createTestContext(
  options: {
    record?: boolean;
    env?: Record<string, string>;
    redisUrl?: string;
    /** REDIS_CLUSTER_NODES: the app talks to a Redis Cluster through ioredis' Cluster client. */
    redisClusterNodes?: string;
    /** Parts replacing those built from the configuration (a counting store, a logger to read, ...). */
    deps?: Partial<AppParts>;
  } = {},
): Promise<TestContext> {
  const ctUrl = process.env.TEST_CT_URL;
  const redisUrl = options.redisUrl ?? process.env.TEST_REDIS_URL;
  if (!ctUrl || (!redisUrl && !options.redisClusterNodes))
    throw new Error('global setup did not start the emulator and Redis');
  const projectKey = uniqueName('test');
  const redisPrefix = `${uniqueName('test')}:`;
  const { skus } = await seedCatalogue(ctUrl, projectKey);
  const proxy = options.record ? await startRecordingProxy(ctUrl) : undefined;
  const redisTarget: Record<string, string> = options.redisClusterNodes
    ? { REDIS_CLUSTER_NODES: options.redisClusterNodes }
    : { REDIS_URL: redisUrl ?? '' };
  const config = loadConfig(
    serviceEnv(
      projectKey,
      ctUrl,
      {
        ...redisTarget,
        REDIS_KEY_PREFIX: redisPrefix,
        SESSION_TTL_DAYS: '1',
        API_KEYS: `${API_KEYS},${TILL_API_KEYS}`,
        ...options.env,
      },
      proxy?.url ?? ctUrl,
    ),
  );
  const redis = await connectRedis(config.redis);
  const deps = compose({ ...createParts(config, redis, pino({ level: 'silent' })), ...options.deps });
  const server = createHttpServer(createApp(deps), config.http, deps.metrics);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const token = await emulatorToken(ctUrl);
  return {
    projectKey,
    config,
    skus,
    server,
    http: request(server),
    redis,
    redisPrefix,
    upstreamCalls: proxy?.calls ?? [],
    faults: proxy?.faults ?? [],
    async ct(path, init = {}) {
      const response = await fetch(`${ctUrl}/${projectKey}${path}`, {
        method: init.method ?? 'GET',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (redis.status === 'ready') await deleteKeys(redis, `${redisPrefix}*`);
      redis.disconnect();
      await proxy?.close();
    },
  };
}

/** Deletes the keys matching a pattern; on a cluster on every master, one key per DEL (keys of different slots). */
export async function deleteKeys(redis: RedisClient, pattern: string): Promise<void> {
  if (!(redis instanceof Cluster)) {
    const keys = await redis.keys(pattern);
    if (keys.length) await redis.del(...keys);
    return;
  }
  for (const node of redis.nodes('master')) {
    await Promise.all((await node.keys(pattern)).map((key) => node.del(key)));
  }
}
