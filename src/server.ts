import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { createApp } from './app';
import { connectRedis } from './clients/redis.client';
import { compose, createParts } from './composition-root';
import type { Config, HttpLimits } from './config';
import { checkKeyStores } from './domain/api-keys';
import type { Metrics } from './http/metrics';

export interface RunningService {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** The HTTP server around the app, with its limits (config.ts: HttpLimits); not yet listening. */
export function createHttpServer(app: ReturnType<typeof createApp>, limits: HttpLimits, metrics?: Metrics): Server {
  const server = createServer(
    {
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
    },
    app,
  );
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => metrics?.connectionDropped());
  return server;
}

/** Connects Redis, listens, and stops gracefully. */
export async function startService(
  config: Config,
  logger: Logger,
  options: { host?: string } = {},
): Promise<RunningService> {
  const redis = await connectRedis(config.redis);
  const parts = createParts(config, redis, logger);
  const deps = compose(parts);
  // Before listening, like the scope check: a store-bound key naming no Store stops the start.
  try {
    await checkKeyStores(config.apiKeys.values(), async (key) => (await parts.commerce.getStoreByKey(key)) !== null);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const server = createHttpServer(createApp(deps), config.http, deps.metrics);
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let stopping: Promise<void> | undefined;
  return {
    server,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    stop() {
      // Stop accepting, let in-flight requests finish within the grace period, then close Redis and the pool.
      stopping ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
        // Keep-alive connections become idle as their last response is sent: close them then.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          void Promise.allSettled([redis.quit().catch(() => redis.disconnect()), parts.closeUpstream?.()]).then(() =>
            resolve(),
          );
        });
        server.closeIdleConnections();
      });
      return stopping;
    },
  };
}
