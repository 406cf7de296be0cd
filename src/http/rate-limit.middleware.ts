import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClient } from '../clients/redis.client';
import type { Caller } from '../domain/api-keys';
import { DomainError } from '../domain/errors';

/**
 * Per-client limit shared by all instances through Redis; while Redis is away each instance falls
 * back to an in-memory limiter with the same budget, so the limit degrades instead of vanishing.
 */
export function createRateLimiter(redis: RedisClient, prefix: string, perMinute: number): RateLimiterAbstract {
  const options = { points: perMinute, duration: 60 };
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    keyPrefix: `${prefix}rl`,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

export function rateLimit(limiter: RateLimiterAbstract): RequestHandler {
  return async (_req, res, next) => {
    const caller = res.locals.caller as Caller;
    try {
      const state = await limiter.consume(caller.clientId);
      res.setHeader('RateLimit-Remaining', String(state.remainingPoints));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new DomainError('RateLimited', `Rate limit of this client exceeded; retry in ${retryAfterSeconds} s.`, {
        retryAfterSeconds,
      });
    }
    next();
  };
}
