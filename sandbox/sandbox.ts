import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { checkServiceScopes, serviceScopes } from '../src/clients/ctp-scopes';
import { loadConfig, SANDBOX_DEMO_API_KEY, SANDBOX_TILL_API_KEYS } from '../src/config';
import { createLogger } from '../src/logger';
import { startService, type RunningService } from '../src/server';
import { DEMO_SKUS, seedCatalogue } from './catalogue';
import { startEmulator } from './emulator';
import { hasRedisServer, startRedisServer, type PrivateRedis } from './redis-server';

/** The key printed for the sandbox; the service refuses it outside the sandbox (src/config.ts). */
export const DEMO_API_KEY = SANDBOX_DEMO_API_KEY;
const DEMO_PROJECT_KEY = 'sandbox';

/** `API_KEYS` of the sandbox: the demo key, and a till bound to each seeded store (client `sandbox-tills`). */
const DEMO_API_KEYS = [
  `sandbox:${DEMO_API_KEY}:sessions+customers+admin`,
  ...Object.entries(SANDBOX_TILL_API_KEYS).map(
    ([storeKey, secret]) => `sandbox-tills:${secret}:sessions+customers:${storeKey}`,
  ),
].join(',');

export interface Sandbox {
  url: string;
  apiKey: string;
  /** The demo tills' keys by store (absent when API_KEYS is given). */
  tillKeys?: Readonly<Record<string, string>>;
  emulatorUrl: string;
  redisUrl: string;
  skus: string[];
  /** The port asked for (PORT, default 8080) when it was busy and the sandbox took a free one instead. */
  busyPort?: number;
  stop(): Promise<void>;
}

export class SandboxError extends Error {}

async function listenWithFallback(
  start: (port: number) => Promise<RunningService>,
  port: number,
): Promise<{ service: RunningService; busyPort?: number }> {
  try {
    return { service: await start(port) };
  } catch (error) {
    // A busy default port should not stop a first try on a fresh machine; the banner says so.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return { service: await start(0), busyPort: port };
    throw error;
  }
}

/**
 * Everything needed to try the service on a machine with nothing configured: the emulator with a
 * demo catalogue, Redis (REDIS_URL, or a private redis-server), and the service in front of them.
 */
export async function startSandbox(options: { logger?: Logger; quiet?: boolean } = {}): Promise<Sandbox> {
  const env = process.env;
  let privateRedis: PrivateRedis | undefined;
  if (!env.REDIS_URL && !hasRedisServer()) {
    throw new SandboxError(
      'The sandbox needs Redis: set REDIS_URL=redis://host:port, or install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) so the sandbox can start a private one.',
    );
  }
  const emulator = await startEmulator({ port: Number(env.EMULATOR_PORT ?? 0) });
  try {
    const projectKey = env.CTP_PROJECT_KEY ?? DEMO_PROJECT_KEY;
    await seedCatalogue(emulator.url, projectKey);
    privateRedis = env.REDIS_URL ? undefined : await startRedisServer();
    // The sandbox says it is the sandbox in code (`sandbox: true`), not through a variable a deployment
    // could set by mistake: only here are the demo key and the .env.example placeholders allowed.
    const config = loadConfig(
      {
        ...env,
        CTP_PROJECT_KEY: projectKey,
        CTP_CLIENT_ID: env.CTP_CLIENT_ID ?? 'sandbox',
        CTP_CLIENT_SECRET: env.CTP_CLIENT_SECRET ?? 'sandbox',
        CTP_AUTH_URL: emulator.url,
        CTP_API_URL: emulator.url,
        // The narrow set a real API client gets (docs/production.md); the emulator enforces it per endpoint.
        CTP_SCOPES: env.CTP_SCOPES ?? serviceScopes(projectKey).join(' '),
        REDIS_URL: env.REDIS_URL ?? privateRedis?.url,
        API_KEYS: env.API_KEYS ?? DEMO_API_KEYS,
        // One process: a secret of its own is enough (replays must match across instances only).
        IDEMPOTENCY_SECRET: env.IDEMPOTENCY_SECRET ?? randomBytes(32).toString('base64url'),
        LOG_LEVEL: env.LOG_LEVEL ?? (options.quiet ? 'warn' : 'info'),
      },
      { sandbox: true },
    );
    // The start-up check of `npm start`, so the sandbox proves the scope set as well.
    await checkServiceScopes(config.commercetools);
    const logger = options.logger ?? createLogger(config.logLevel, { pretty: true });
    const { service, busyPort } = await listenWithFallback(
      (port) => startService({ ...config, port }, logger, { host: '127.0.0.1' }),
      config.port,
    );
    return {
      url: service.url,
      apiKey: env.API_KEYS ? '(one of your API_KEYS)' : DEMO_API_KEY,
      ...(env.API_KEYS ? {} : { tillKeys: SANDBOX_TILL_API_KEYS }),
      emulatorUrl: emulator.url,
      redisUrl: config.redis.url ?? '',
      skus: DEMO_SKUS,
      ...(busyPort !== undefined ? { busyPort } : {}),
      async stop() {
        await service.stop();
        await emulator.close();
        await privateRedis?.stop();
      },
    };
  } catch (error) {
    await emulator.close();
    await privateRedis?.stop();
    throw error;
  }
}
