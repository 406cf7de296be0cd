import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppDeps } from './app';
import { RedisApiKeyStore } from './clients/api-key.store';
import { RedisGrantStore } from './clients/grant.store';
import { buildCtpClient, CommercetoolsGateway } from './clients/commercetools.client';
import { RedisIdempotencyStore } from './clients/idempotency.store';
import type { RedisClient } from './clients/redis.client';
import { RedisSessionStore } from './clients/session.store';
import { RedisSignInGuard } from './clients/sign-in.guard';
import { RedisTokenCache } from './clients/token-cache';
import { createUpstreamHttpClient } from './clients/upstream-http.client';
import { UpstreamPolicy } from './clients/upstream-policy';
import type { Config } from './config';
import { ApiKeyResolver } from './domain/api-key.resolver';
import { BackofficeService, type BackofficeEvents } from './domain/backoffice.service';
import { CartService } from './domain/cart.service';
import { CheckoutService } from './domain/checkout.service';
import { CustomerService } from './domain/customer.service';
import {
  StoreError,
  type AttemptLog,
  type CommerceGateway,
  type GrantStore,
  type IdempotencyStore,
  type SessionIndex,
  type SessionStore,
  type SignInGuard,
} from './domain/ports';
import { SessionService } from './domain/session.service';
import { createMetrics, type Metrics } from './http/metrics';
import { cachedReadiness, READINESS_CACHE_MS } from './http/readiness';
import { currentCorrelationId } from './request-context';

/**
 * What the service is built from: the adapters behind the domain's ports, and a few settings.
 * `createParts` makes them from configuration; a test may replace any of them before `compose`.
 */
export interface AppParts {
  keys: ApiKeyResolver;
  /** Per-client limit; none when RATE_LIMIT_PER_MINUTE is 0. */
  rateLimiter?: RateLimiterAbstract;
  store: SessionStore;
  /** Each client's sessions for the back-office listing (the Redis store indexes them as it activates them). */
  sessionIndex?: SessionIndex;
  /** Customer grants and the owners of orders placed through them. */
  grants: GrantStore;
  /** SESSION_QUOTA_PER_CLIENT; the domain's default when absent. */
  sessionQuotaPerClient?: number;
  /** deleteDaysAfterLastModification of new carts: the session lifetime in whole days. */
  cartLifetimeDays?: number;
  /** Idempotency records, and the notes of attempts that retries decide from. */
  idempotency: IdempotencyStore & AttemptLog;
  /** HMAC key of Idempotency-Key fingerprints (IDEMPOTENCY_SECRET). */
  idempotencySecret: string;
  /** Limits on password guessing (failed sign-ins per email and session, sign-ups per session). */
  signInGuard: SignInGuard;
  commerce: CommerceGateway;
  /** Closes the commercetools connection pool (graceful shutdown). */
  closeUpstream?: () => Promise<void>;
  logger: Logger;
  metrics?: Metrics;
  version?: string;
  /** JSON body limit; 100 kB by default. */
  bodyLimitBytes?: number;
  /** How long /readyz reuses its last result; 2 s by default. */
  readinessCacheMs?: number;
}

/**
 * Per-client limit shared by all instances through Redis; while Redis is away each instance falls
 * back to an in-memory limiter with the same budget, so the limit degrades instead of vanishing.
 */
function createRateLimiter(redis: RedisClient, prefix: string, perMinute: number): RateLimiterAbstract {
  const options = { points: perMinute, duration: 60 };
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    keyPrefix: `${prefix}rl`,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

/** The adapters, built from configuration around one Redis connection. */
export function createParts(config: Config, redis: RedisClient, logger: Logger): AppParts {
  const metrics = createMetrics();
  const ctp = config.commercetools;
  redis.on('error', () => metrics.redisError('connection'));
  metrics.watchRedisMemory(() => redis.info('memory'));
  // One keep-alive pool per commercetools origin, for the API calls and the token requests alike.
  const http = createUpstreamHttpClient({ ...ctp.http, timeoutMs: ctp.timeoutMs });
  // One token for all instances sharing this Redis (and prefix), renewed by one of them before expiry.
  const tokenCache = new RedisTokenCache(redis, config.redis.keyPrefix, ctp, {
    observe: metrics.observeUpstream,
    keys: config.tokenCacheKeys,
    fetch: http.fetch,
  });
  const client = buildCtpClient({
    ...ctp,
    upstream: http,
    correlationId: currentCorrelationId,
    observe: metrics.observeUpstream,
    tokenCache,
  });
  const prefix = config.redis.keyPrefix;
  const store = new RedisSessionStore(redis, prefix, config.sessionTtlSeconds, config.endedSessionTtlSeconds);
  return {
    keys: new ApiKeyResolver(config.apiKeys, new RedisApiKeyStore(redis, prefix)),
    ...(config.rateLimitPerMinute > 0
      ? { rateLimiter: createRateLimiter(redis, prefix, config.rateLimitPerMinute) }
      : {}),
    store,
    sessionIndex: store,
    grants: new RedisGrantStore(redis, prefix, config.customerGrantTtlSeconds, config.orderOwnerTtlSeconds),
    sessionQuotaPerClient: config.sessionQuotaPerClient,
    // commercetools counts whole days; rounding up never deletes a cart before its session lapses.
    cartLifetimeDays: Math.ceil(config.sessionTtlSeconds / 86_400),
    idempotency: new RedisIdempotencyStore(redis, prefix, config.idempotencyTtlSeconds),
    idempotencySecret: config.idempotencySecret,
    signInGuard: new RedisSignInGuard(redis, prefix, config.idempotencySecret, config.signInLimits),
    commerce: new CommercetoolsGateway(client, ctp.projectKey, metrics.observeUpstream, new UpstreamPolicy(ctp.policy)),
    closeUpstream: http.close,
    logger,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
    readinessCacheMs: config.readinessCacheMs,
  };
}

/** Parts composed without an index (some tests) answer listings with 503, as an unreachable store would. */
const NO_SESSION_INDEX: SessionIndex = {
  listByClient: () => Promise.reject(new StoreError('no session index is configured')),
};

/** The audit line of customer lookups: who looked and how many matched; the email is never logged. */
function backofficeLog(logger: Logger): BackofficeEvents {
  return {
    customerLookup: (clientId, count) =>
      logger.info({ clientId, count, correlationId: currentCorrelationId() }, 'customer lookup by email'),
  };
}

/** The domain services and what the HTTP layer needs, built on the given parts. */
export function compose(parts: AppParts): AppDeps {
  const metrics = parts.metrics ?? createMetrics();
  const sessions = new SessionService(parts.store, parts.commerce, metrics.events, undefined, {
    quotaPerClient: parts.sessionQuotaPerClient,
  });
  const carts = new CartService(sessions, parts.commerce, parts.idempotency, parts.grants, {
    cartLifetimeDays: parts.cartLifetimeDays,
  });
  const index = parts.sessionIndex ?? NO_SESSION_INDEX;
  return {
    services: {
      sessions,
      carts,
      customers: new CustomerService(sessions, parts.commerce, parts.signInGuard, parts.grants),
      backoffice: new BackofficeService(index, carts, parts.commerce, backofficeLog(parts.logger)),
      checkout: new CheckoutService(carts, parts.commerce, parts.idempotency),
    },
    keys: parts.keys,
    ...(parts.rateLimiter ? { rateLimiter: parts.rateLimiter } : {}),
    idempotency: parts.idempotency,
    idempotencySecret: parts.idempotencySecret,
    // Cached for a moment, so frequent probes do not hammer commercetools.
    readiness: cachedReadiness(
      { redis: () => parts.store.ping(), commercetools: () => parts.commerce.ping() },
      parts.readinessCacheMs ?? READINESS_CACHE_MS,
    ),
    logger: parts.logger,
    metrics,
    version: parts.version ?? '1.0.0',
    bodyLimitBytes: parts.bodyLimitBytes ?? 100 * 1024,
  };
}

/** Composition root: everything the app needs, from configuration. */
export function createDeps(config: Config, redis: RedisClient, logger: Logger): AppDeps {
  return compose(createParts(config, redis, logger));
}
