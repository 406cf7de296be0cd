import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createApp, type AppDeps } from './app';
import { RedisApiKeyStore } from './clients/api-key.store';
import { buildCtpClient, CommercetoolsGateway } from './clients/commercetools.client';
import { RedisIdempotencyStore } from './clients/idempotency.store';
import { connectRedis, type RedisClient } from './clients/redis.client';
import { RedisSessionStore } from './clients/session.store';
import { RedisTokenCache } from './clients/token-cache';
import { UpstreamPolicy } from './clients/upstream-policy';
import type { Config } from './config';
import { ApiKeyResolver } from './domain/api-key.resolver';
import { createRateLimiter } from './http/rate-limit.middleware';
import { createMetrics } from './http/metrics';
import { currentCorrelationId } from './request-context';

export interface RunningService {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Composition root: the app's parts built from configuration around one Redis connection. */
export function createDeps(config: Config, redis: RedisClient, logger: Logger): AppDeps {
  const metrics = createMetrics();
  const ctp = config.commercetools;
  // One token for all instances sharing this Redis (and prefix), renewed by one of them before expiry.
  redis.on('error', () => metrics.redisError('connection'));
  const tokenCache = new RedisTokenCache(redis, config.redis.keyPrefix, ctp, {
    observe: metrics.observeUpstream,
    keys: config.tokenCacheKeys,
  });
  const client = buildCtpClient({
    ...ctp,
    correlationId: currentCorrelationId,
    observe: metrics.observeUpstream,
    tokenCache,
  });
  return {
    keys: new ApiKeyResolver(config.apiKeys, new RedisApiKeyStore(redis, config.redis.keyPrefix)),
    ...(config.rateLimitPerMinute > 0
      ? { rateLimiter: createRateLimiter(redis, config.redis.keyPrefix, config.rateLimitPerMinute) }
      : {}),
    store: new RedisSessionStore(redis, config.redis.keyPrefix, config.sessionTtlSeconds),
    idempotency: new RedisIdempotencyStore(redis, config.redis.keyPrefix, config.idempotencyTtlSeconds),
    idempotencySecret: config.idempotencySecret,
    commerce: new CommercetoolsGateway(client, ctp.projectKey, metrics.observeUpstream, new UpstreamPolicy(ctp.policy)),
    logger,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
    readinessCacheMs: config.readinessCacheMs,
  };
}

/** Connects Redis, listens, and stops gracefully. */
export async function startService(
  config: Config,
  logger: Logger,
  options: { host?: string } = {},
): Promise<RunningService> {
  const redis = await connectRedis(config.redis);
  const app = createApp(createDeps(config, redis, logger));
  const host = options.host ?? '0.0.0.0';
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
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
      // Stop accepting, let in-flight requests finish within the grace period, then close Redis.
      stopping ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
        // Keep-alive connections become idle as their last response is sent: close them then.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          redis
            .quit()
            .catch(() => redis.disconnect())
            .finally(resolve);
        });
        server.closeIdleConnections();
      });
      return stopping;
    },
  };
}
