import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ApiKeyResolver } from './domain/api-key.resolver';
import { CartService } from './domain/cart.service';
import { CustomerService } from './domain/customer.service';
import { DomainError } from './domain/errors';
import { StoreError, type CommerceGateway, type IdempotencyStore, type SessionStore } from './domain/ports';
import { SessionService } from './domain/session.service';
import { authenticate, requireScope } from './http/auth.middleware';
import { registerDocs } from './http/docs';
import { rateLimit } from './http/rate-limit.middleware';
import { createMetrics, type Metrics } from './http/metrics';
import { buildOpenApiDocument } from './http/openapi';
import { sendProblem, toDomainError } from './http/problem';
import { cachedReadiness, READINESS_CACHE_MS } from './http/readiness';
import { expressPath, toHandler } from './http/route';
import { v1Routes } from './http/routes/v1.routes';
import { requestContext } from './request-context';

export interface AppDeps {
  keys: ApiKeyResolver;
  /** Per-client limit; none when RATE_LIMIT_PER_MINUTE is 0. */
  rateLimiter?: RateLimiterAbstract;
  store: SessionStore;
  idempotency: IdempotencyStore;
  commerce: CommerceGateway;
  logger: Logger;
  metrics?: Metrics;
  version?: string;
  /** JSON body limit; 100 kB by default. */
  bodyLimitBytes?: number;
  /** How long /readyz reuses its last result; 2 s by default. */
  readinessCacheMs?: number;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestFacts(res: Response) {
  return { correlationId: res.locals.correlationId as string, route: (res.locals.route as string | undefined) ?? 'unmatched', clientId: res.locals.clientId as string | undefined };
}

/** Builds the Express app around the given parts; nothing here opens a connection. */
export function createApp(deps: AppDeps): express.Express {
  const metrics = deps.metrics ?? createMetrics();
  const sessions = new SessionService(deps.store, deps.commerce, metrics.events);
  const routes = v1Routes({
    sessions,
    carts: new CartService(sessions, deps.commerce),
    customers: new CustomerService(sessions, deps.commerce),
  });
  const openApi = buildOpenApiDocument(routes, deps.version ?? '1.0.0');

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(helmet());

  // Correlation id first, so every later step (logs, upstream calls, problems) carries it.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-correlation-id'];
    const correlationId = typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
    res.locals.correlationId = correlationId;
    res.setHeader('X-Correlation-ID', correlationId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (res.locals.route as string | undefined) ?? 'unmatched';
      metrics.observeRequest(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    requestContext.run({ correlationId }, next);
  });
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (_req, res) => (res as Response).locals.correlationId as string,
      // Added once, when the request completes: by then the route and the caller are known.
      customSuccessObject: (_req, res, value: object) => ({ ...value, ...requestFacts(res as Response) }),
      customErrorObject: (_req, res, _error, value: object) => ({ ...value, ...requestFacts(res as Response) }),
      // Only what is needed to follow a request: never headers (Authorization) or bodies (passwords).
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(express.json({ limit: deps.bodyLimitBytes ?? 100 * 1024, strict: true, type: ['application/json', 'application/*+json'] }));

  app.get('/healthz', (_req, res) => {
    res.locals.route = '/healthz';
    res.json({ status: 'ok' });
  });
  // Cached for a moment, so frequent probes do not hammer commercetools.
  const readiness = cachedReadiness({ redis: () => deps.store.ping(), commercetools: () => deps.commerce.ping() }, deps.readinessCacheMs ?? READINESS_CACHE_MS);
  app.get('/readyz', async (_req, res) => {
    res.locals.route = '/readyz';
    const { ready, checks } = await readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.locals.route = '/metrics';
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.locals.route = '/openapi.json';
    res.json(openApi);
  });
  registerDocs(app);

  const auth = authenticate(deps.keys);
  const limit = deps.rateLimiter ? [rateLimit(deps.rateLimiter)] : [];
  const handlerOptions = {
    idempotency: deps.idempotency,
    onStoreError: (error: unknown) => {
      metrics.redisError('command');
      deps.logger.warn({ err: error }, 'idempotency record not written');
    },
    onReplay: () => metrics.idempotentReplay(),
  };
  const methodsByPath = new Map<string, string[]>();
  for (const spec of routes) {
    const path = expressPath(spec.path);
    const label = (_req: Request, res: Response, next: NextFunction) => {
      res.locals.route = spec.path;
      next();
    };
    app[spec.method](path, label, auth, ...limit, requireScope(spec.scope), toHandler(spec, handlerOptions));
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), spec.method.toUpperCase()]);
  }
  for (const [path, methods] of methodsByPath) {
    app.all(path, (_req, res) => {
      res.setHeader('Allow', methods.join(', '));
      throw new DomainError('MethodNotAllowed', `Use ${methods.join(', ')} on this path.`);
    });
  }
  app.use(() => {
    throw new DomainError('NotFound', 'No such route.');
  });

  // The one error path: anything thrown becomes problem+json; unexpected errors are logged, never shown.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const problem = toDomainError(error);
    if (error instanceof StoreError) metrics.redisError('command');
    if (problem.code === 'InternalError' || problem.code === 'UpstreamError' || problem.code === 'StoreUnavailable') {
      req.log?.error({ err: error }, 'request failed');
    }
    sendProblem(res, problem, (res.locals.correlationId as string | undefined) ?? randomUUID());
  });
  return app;
}
