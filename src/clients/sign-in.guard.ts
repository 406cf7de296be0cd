import { createHmac } from 'node:crypto';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { SignInLimits } from '../config';
import { StoreError, type Blocked, type SignInGuard, type SignInOutcome } from '../domain/ports';
import type { RedisClient } from './redis.client';

/** How long failures are remembered when no success resets them (they are "consecutive" within it). */
const FAILURES_REMEMBERED_SECONDS = 86_400;

function blocked(refusal: RateLimiterRes): Blocked {
  return { retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
}

/** A limiter's refusal is an answer; anything else it throws is Redis failing. */
function refusalOf(reason: unknown, what: string): RateLimiterRes {
  if (reason instanceof RateLimiterRes) return reason;
  throw new StoreError(`sign-in guard: ${what} failed`, reason);
}

/**
 * rate-limiter-flexible's login protection in Redis: a counter of consecutive failures per email and
 * one per session (at most `maxFailures`; one more attempt blocks the key for `blockSeconds`), reset
 * by a success; and a count of sign-up attempts per session per `blockSeconds`. Emails are keyed by
 * an HMAC (a key derived from the server secret) of their lower-cased form: Redis never holds one
 * in clear, nor a plain hash that a list of addresses would reverse.
 */
export class RedisSignInGuard implements SignInGuard {
  private readonly byEmail: RateLimiterRedis;
  private readonly bySession: RateLimiterRedis;
  private readonly signUps: RateLimiterRedis;
  private readonly emailKey: Buffer;

  constructor(redis: RedisClient, prefix: string, secret: string, limits: SignInLimits) {
    const failures = {
      storeClient: redis,
      rejectIfRedisNotReady: true,
      points: limits.maxFailures,
      duration: FAILURES_REMEMBERED_SECONDS,
      blockDuration: limits.blockSeconds,
    };
    this.byEmail = new RateLimiterRedis({ ...failures, keyPrefix: `${prefix}sign-in-failures:email` });
    this.bySession = new RateLimiterRedis({ ...failures, keyPrefix: `${prefix}sign-in-failures:session` });
    this.signUps = new RateLimiterRedis({
      storeClient: redis,
      rejectIfRedisNotReady: true,
      points: limits.signUpMaxAttempts,
      duration: limits.blockSeconds,
      keyPrefix: `${prefix}sign-up-attempts:session`,
    });
    this.emailKey = createHmac('sha256', secret).update('sign-in guard: email').digest();
  }

  private counters(email: string, anonymousId: string): Array<[RateLimiterRedis, string]> {
    const emailId = createHmac('sha256', this.emailKey).update(email.trim().toLowerCase()).digest('base64url');
    return [
      [this.byEmail, emailId],
      [this.bySession, anonymousId],
    ];
  }

  async admitSignIn(email: string, anonymousId: string): Promise<Blocked | null> {
    const counters = this.counters(email, anonymousId);
    const results = await Promise.allSettled(counters.map(([limiter, key]) => limiter.consume(key)));
    if (results.every((result) => result.status === 'fulfilled')) return null;
    // Not admitted: what was counted in is taken back (a blocked key stays blocked).
    await Promise.all(
      counters.map(([limiter, key], i) =>
        results[i]!.status === 'fulfilled' ? limiter.reward(key, 1).catch(() => undefined) : undefined,
      ),
    );
    const refusals = results.flatMap((result) =>
      result.status === 'rejected' ? [refusalOf(result.reason, 'admit sign-in')] : [],
    );
    return { retryAfterSeconds: Math.max(...refusals.map((refusal) => blocked(refusal).retryAfterSeconds)) };
  }

  async settleSignIn(email: string, anonymousId: string, outcome: SignInOutcome): Promise<void> {
    if (outcome === 'failed') return;
    const counters = this.counters(email, anonymousId);
    try {
      await Promise.all(
        counters.map(([limiter, key]) => (outcome === 'succeeded' ? limiter.delete(key) : limiter.reward(key, 1))),
      );
    } catch (error) {
      throw new StoreError('sign-in guard: settle sign-in failed', error);
    }
  }

  async admitSignUp(anonymousId: string): Promise<Blocked | null> {
    try {
      await this.signUps.consume(anonymousId);
      return null;
    } catch (reason) {
      return blocked(refusalOf(reason, 'admit sign-up'));
    }
  }
}
