import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ApiKeyResolver } from './domain/api-key.resolver';
import { CartService } from './domain/cart.service';
import { CustomerService } from './domain/customer.service';
import { DomainError } from './domain/errors';
import {
  StoreError,
  type AttemptLog,
  type CommerceGateway,
  type IdempotencyStore,
  type SessionStore,
} from './domain/ports';
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
  /** Idempotency records, and the notes of attempts that retries decide from. */
  idempotency: IdempotencyStore & AttemptLog;
  /** HMAC key of Idempotency-Key fingerprints (IDEMPOTENCY_SECRET). */
  idempotencySecret: string;
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

/**
 * helmet's headers, computed once: they do not depend on the request, so every response gets the
 * same list without running helmet's dozen middlewares per request (a measured hot path).
 */
export function securityHeaders(): ReadonlyArray<readonly [string, string]> {
  const headers: Array<[string, string]> = [];
  const capture = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  helmet()({} as Request, capture as unknown as Response, () => undefined);
  return headers;
}

/**
 * One JSON line per request, written when the response has gone out (or the client went away):
 * method, URL, status, duration, route template, clientId and correlation id. Built from these
 * fields only, so headers (Authorization) and bodies (passwords) never reach the log.
 */
function logRequest(logger: Logger, req: Request, res: Response, responseTime: number, completed: boolean): void {
  const status = res.statusCode;
  const facts = {
    req: { method: req.method, url: req.originalUrl },
    res: { statusCode: status },
    responseTime,
    correlationId: res.locals.correlationId as string,
    route: (res.locals.route as string | undefined) ?? 'unmatched',
    clientId: res.locals.clientId as string | undefined,
  };
  if (status >= 500) logger.error(facts, 'request errored');
  else logger.info(facts, completed ? 'request completed' : 'request aborted');
}

/** Builds the Express app around the given parts; nothing here opens a connection. */
export function createApp(deps: AppDeps): express.Express {
  const metrics = deps.metrics ?? createMetrics();
  const sessions = new SessionService(deps.store, deps.commerce, metrics.events);
  const routes = v1Routes({
    sessions,
    carts: new CartService(sessions, deps.commerce, deps.idempotency),
    customers: new CustomerService(sessions, deps.commerce),
  });
  const openApi = buildOpenApiDocument(routes, deps.version ?? '1.0.0');

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  const security = securityHeaders();
  const logger = deps.logger;
  // The request line is built from fixed fields only (logRequest): redaction has nothing to find in
  // it and cost more than the rest of the line together (measured), so this child skips it.
  const requestLogger = logger.child({}, { redact: [] });

  // Security headers and the correlation id first, so every later step (logs, upstream calls,
  // problems) carries them. One listener per request does the request's log line and metrics.
  app.use((req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of security) res.setHeader(name, value);
    const given = req.headers['x-correlation-id'];
    const correlationId = typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
    res.locals.correlationId = correlationId;
    res.setHeader('X-Correlation-ID', correlationId);
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const completed = res.writableFinished;
      // Only answered requests are counted; one whose client went away is logged as aborted.
      if (completed)
        metrics.observeRequest(
          req.method,
          (res.locals.route as string | undefined) ?? 'unmatched',
          res.statusCode,
          seconds,
        );
      logRequest(requestLogger, req, res, Math.round(seconds * 1000), completed);
    });
    requestContext.run({ correlationId }, next);
  });
  app.use(
    express.json({
      limit: deps.bodyLimitBytes ?? 100 * 1024,
      strict: true,
      type: ['application/json', 'application/*+json'],
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.locals.route = '/healthz';
    res.json({ status: 'ok' });
  });
  // Cached for a moment, so frequent probes do not hammer commercetools.
  const readiness = cachedReadiness(
    { redis: () => deps.store.ping(), commercetools: () => deps.commerce.ping() },
    deps.readinessCacheMs ?? READINESS_CACHE_MS,
  );
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
    idempotencySecret: deps.idempotencySecret,
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
      logger.error(
        {
          req: { method: req.method, url: req.originalUrl },
          correlationId: res.locals.correlationId as string | undefined,
          err: error,
        },
        'request failed',
      );
    }
    sendProblem(res, problem, (res.locals.correlationId as string | undefined) ?? randomUUID());
  });
  return app;
}
