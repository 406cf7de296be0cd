import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { setTimeout as sleep } from 'node:timers/promises';
import { Unavailable } from '../domain/ports';

export interface UpstreamPolicyOptions {
  /** Consecutive failures (network, timeout, 5xx) that open the circuit. */
  breakerThreshold: number;
  /** How long the circuit stays open before one probe call may go through. */
  breakerHalfOpenMs: number;
  /** Attempts of a read, the first included. */
  readAttempts: number;
  /** Total time a read may take, retries and waits included. */
  readDeadlineMs: number;
  /** First backoff step; it doubles per attempt, with full jitter. */
  backoffBaseMs: number;
}

export const DEFAULT_UPSTREAM_POLICY: UpstreamPolicyOptions = {
  breakerThreshold: 5,
  breakerHalfOpenMs: 5000,
  readAttempts: 3,
  readDeadlineMs: 15_000,
  backoffBaseMs: 100,
};

/** commercetools is down or overloaded (network, timeout, 5xx): what counts against the breaker. */
function isOutage(error: unknown): boolean {
  return error instanceof Unavailable && !error.circuitOpen;
}

/** Worth another try for a read: network failures, timeouts and the statuses commercetools asks to retry. */
function isRetryable(error: unknown): boolean {
  return error instanceof Unavailable && error.retryable;
}

/**
 * The one place that decides how a commercetools call is run: every call passes the circuit
 * breaker (open: fail at once with 503 instead of piling up timeouts); only reads are retried,
 * with exponential backoff and full jitter within a total deadline. Writes are never retried
 * here: a lost response is resolved by the domain with idempotent keys.
 */
export class UpstreamPolicy {
  readonly breaker: CircuitBreakerPolicy;

  constructor(private readonly options: UpstreamPolicyOptions = DEFAULT_UPSTREAM_POLICY) {
    this.breaker = circuitBreaker(handleWhen(isOutage), {
      halfOpenAfter: options.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
  }

  private async once<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new Unavailable('commercetools is unavailable; calls are paused while it recovers', {
          circuitOpen: true,
          retryAfterSeconds: Math.ceil(this.options.breakerHalfOpenMs / 1000),
        });
      }
      throw error;
    }
  }

  async run<T>(kind: 'read' | 'write', call: () => Promise<T>): Promise<T> {
    if (kind === 'write') return this.once(call);
    const deadline = Date.now() + this.options.readDeadlineMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(call);
      } catch (error) {
        const wait = Math.random() * this.options.backoffBaseMs * 2 ** (attempt - 1);
        if (!isRetryable(error) || attempt >= this.options.readAttempts || Date.now() + wait >= deadline) throw error;
        await sleep(wait);
      }
    }
  }
}
