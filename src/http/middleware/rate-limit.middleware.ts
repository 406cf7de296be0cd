import type { RequestHandler } from 'express';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Caller } from '../../domain/api-keys';
import { DomainError } from '../../domain/errors';

/** Spends one point of the caller's budget (after authentication), or answers 429 with Retry-After. */
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
