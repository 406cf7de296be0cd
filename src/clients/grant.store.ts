import { storeCall, type RedisClient } from './redis.client';
import type { Grant, GrantStore } from '../domain/ports';

/** Deletes a cart's grant only while it is still the given customer's (the cart may have been granted anew). */
const DELETE_IF_CUSTOMER = `local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).customerId == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Marks a grant ordered, keeping its expiry. */
const MARK_ORDERED = `local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local g = cjson.decode(v) g.ordered = true
redis.call('SET', KEYS[1], cjson.encode(g), 'KEEPTTL') return 1`;

/**
 * Customer grants in Redis: `{cart:<cartId>}:grant` holds the grant (read in O(1) on cart routes),
 * `{customer:<customerId>}:grant` the customer's current grant's cartId, so a new hand-over of the
 * same customer finds and ends the previous one. The two keys live in different cluster slots:
 * the old grant is deleted first, then the new one written, so a failure in between leaves the
 * customer without a grant rather than with two. `{order:<orderId>}:owner` holds the client that
 * ordered through a grant (no expiry unless ORDER_OWNER_TTL_SECONDS).
 */
export class RedisGrantStore implements GrantStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly ttlSeconds: number,
    private readonly orderOwnerTtlSeconds = 0,
  ) {}

  private cartKey(cartId: string): string {
    return `${this.prefix}{cart:${cartId}}:grant`;
  }

  private customerKey(customerId: string): string {
    return `${this.prefix}{customer:${customerId}}:grant`;
  }

  private orderKey(orderId: string): string {
    return `${this.prefix}{order:${orderId}}:owner`;
  }

  async grant(input: Omit<Grant, 'expiresAt' | 'ordered'>, expiresAt: string): Promise<void> {
    const previous = await storeCall('grant store: read customer', () =>
      this.redis.get(this.customerKey(input.customerId)),
    );
    if (previous && previous !== input.cartId) {
      await storeCall('grant store: end previous', () =>
        this.redis.eval(DELETE_IF_CUSTOMER, 1, this.cartKey(previous), input.customerId),
      );
    }
    const grant: Grant = { ...input, expiresAt };
    await storeCall('grant store: grant', () =>
      this.redis.set(this.cartKey(input.cartId), JSON.stringify(grant), 'EX', this.ttlSeconds),
    );
    await storeCall('grant store: point customer', () =>
      this.redis.set(this.customerKey(input.customerId), input.cartId, 'EX', this.ttlSeconds),
    );
  }

  async get(cartId: string): Promise<Grant | null> {
    const value = await storeCall('grant store: read', () => this.redis.get(this.cartKey(cartId)));
    return value ? (JSON.parse(value) as Grant) : null;
  }

  async markOrdered(cartId: string): Promise<void> {
    await storeCall('grant store: mark ordered', () => this.redis.eval(MARK_ORDERED, 1, this.cartKey(cartId)));
  }

  async setOrderOwner(orderId: string, clientId: string): Promise<void> {
    const key = this.orderKey(orderId);
    await storeCall('grant store: order owner', () =>
      this.orderOwnerTtlSeconds > 0
        ? this.redis.set(key, clientId, 'EX', this.orderOwnerTtlSeconds)
        : this.redis.set(key, clientId),
    );
  }

  async orderOwner(orderId: string): Promise<string | null> {
    return storeCall('grant store: read order owner', () => this.redis.get(this.orderKey(orderId)));
  }
}
