import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createApp } from './app';
import { buildCtpClient, CommercetoolsGateway } from './clients/commercetools.client';
import { connectRedis } from './clients/redis.client';
import { RedisSessionStore } from './clients/session.store';
import type { Config } from './config';
import { createMetrics } from './http/metrics';
import { currentCorrelationId } from './request-context';

export interface RunningService {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Composition root: connects Redis, builds the commercetools client, listens, and stops gracefully. */
export async function startService(config: Config, logger: Logger, options: { host?: string } = {}): Promise<RunningService> {
  const redis = await connectRedis(config.redis.url);
  const metrics = createMetrics();
  const ctp = config.commercetools;
  const client = buildCtpClient({ ...ctp, correlationId: currentCorrelationId, observe: metrics.observeUpstream });
  const app = createApp({
    apiKeys: config.apiKeys,
    store: new RedisSessionStore(redis, config.redis.keyPrefix, config.sessionTtlSeconds),
    commerce: new CommercetoolsGateway(client, ctp.projectKey, metrics.observeUpstream),
    logger,
    metrics,
  });
  const host = options.host ?? '0.0.0.0';
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
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
        force.unref();
        server.close(() => {
          clearTimeout(force);
          redis.quit().catch(() => redis.disconnect()).finally(resolve);
        });
        server.closeIdleConnections();
      });
      return stopping;
    },
  };
}
