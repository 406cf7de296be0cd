import express from 'express';
import type { Logger } from 'pino';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ApiKeyResolver } from './domain/api-key.resolver';
import type { IdempotencyStore } from './domain/ports';
import { docsAssets } from './http/docs';
import type { Metrics } from './http/metrics';
import { authenticate } from './http/middleware/auth.middleware';
import { correlationId } from './http/middleware/correlation-id.middleware';
import { errorHandler } from './http/middleware/error-handler.middleware';
import { notFound } from './http/middleware/not-found.middleware';
import { rateLimit } from './http/middleware/rate-limit.middleware';
import { requestLog } from './http/middleware/request-log.middleware';
import { securityHeadersMiddleware } from './http/middleware/security-headers.middleware';
import type { ReadinessReport } from './http/readiness';
import { registerRoutes } from './http/route';
import { allRoutes } from './http/routes';
import type { V1Services } from './http/routes/v1.routes';

/** What the app serves with; built by the composition root (src/composition-root.ts) or a test. */
export interface AppDeps {
  services: V1Services;
  keys: ApiKeyResolver;
  rateLimiter?: RateLimiterAbstract;
  /** Where replies to an Idempotency-Key are kept. */
  idempotency: IdempotencyStore;
  /** HMAC key of Idempotency-Key fingerprints (IDEMPOTENCY_SECRET). */
  idempotencySecret: string;
  readiness: () => Promise<ReadinessReport>;
  logger: Logger;
  metrics: Metrics;
  version: string;
  bodyLimitBytes: number;
}

/** The Express app: middlewares in order, then every route (src/http/routes/index.ts). Opens no connection. */
export function createApp(deps: AppDeps): express.Express {
  const { logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);

  // Headers and the correlation id first, so every later step (logs, upstream calls, problems) carries them.
  app.use(securityHeadersMiddleware(), correlationId(), requestLog(logger, metrics));
  app.use(express.json({ limit: deps.bodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] }));

  const routes = allRoutes(deps.services, { readiness: deps.readiness, metrics }, deps.version);
  const guards = {
    authenticate: authenticate(deps.keys),
    limits: deps.rateLimiter ? [rateLimit(deps.rateLimiter)] : [],
  };
  registerRoutes(app, routes, guards, {
    idempotency: deps.idempotency,
    idempotencySecret: deps.idempotencySecret,
    onStoreError: (error) => {
      metrics.redisError('command');
      logger.warn({ err: error }, 'idempotency record not written');
    },
    onReplay: () => metrics.idempotentReplay(),
  });
  app.use('/docs/assets', docsAssets());
  app.use(notFound(), errorHandler(logger, metrics));
  return app;
}
