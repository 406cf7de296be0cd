import { randomBytes } from 'node:crypto';
import { storeCall, type RedisClient } from './redis.client';
import { digestSecret, type Caller, type Scope } from '../domain/api-keys';

/** A key managed in Redis; the secret itself is never stored, only its SHA-256 digest. */
export interface ManagedKey {
  /** Public handle of the key (a prefix of its digest), used to list, revoke and rotate it. */
  id: string;
  clientId: string;
  scopes: Scope[];
  /** The store of a store-bound key (a till). */
  storeKey?: string;
  createdAt: string;
}

const SECRET_BYTES = 32;

/**
 * API keys kept in one Redis hash, field = digest of the secret: a lookup is one HGET, so every
 * instance sees a revocation on its next lookup (callers cache for a few seconds at most).
 */
export class RedisApiKeyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private get hash(): string {
    return `${this.prefix}apikeys`;
  }

  async find(digest: string): Promise<Caller | null> {
    const value = await storeCall('api keys: lookup', () => this.redis.hget(this.hash, digest));
    if (!value) return null;
    const key = JSON.parse(value) as ManagedKey;
    return { clientId: key.clientId, scopes: new Set(key.scopes), ...(key.storeKey ? { storeKey: key.storeKey } : {}) };
  }

  async create(clientId: string, scopes: Scope[], storeKey?: string): Promise<{ key: ManagedKey; secret: string }> {
    const secret = randomBytes(SECRET_BYTES).toString('base64url');
    const digest = digestSecret(secret);
    const key: ManagedKey = {
      id: digest.slice(0, 16),
      clientId,
      scopes,
      ...(storeKey ? { storeKey } : {}),
      createdAt: new Date().toISOString(),
    };
    await storeCall('api keys: create', () => this.redis.hset(this.hash, digest, JSON.stringify(key)));
    return { key, secret };
  }

  async list(): Promise<ManagedKey[]> {
    const all = await storeCall('api keys: list', () => this.redis.hgetall(this.hash));
    return Object.values(all)
      .map((value) => JSON.parse(value) as ManagedKey)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Removes the key with this id; false when there is none. */
  async revoke(id: string): Promise<boolean> {
    const all = await storeCall('api keys: list', () => this.redis.hgetall(this.hash));
    const digest = Object.entries(all).find(([, value]) => (JSON.parse(value) as ManagedKey).id === id)?.[0];
    if (!digest) return false;
    await storeCall('api keys: revoke', () => this.redis.hdel(this.hash, digest));
    return true;
  }

  /** A new secret with the same client and scopes; the old one stops working at once. */
  async rotate(id: string): Promise<{ key: ManagedKey; secret: string } | null> {
    const old = (await this.list()).find((key) => key.id === id);
    if (!old) return null;
    const created = await this.create(old.clientId, old.scopes, old.storeKey);
    await this.revoke(id);
    return created;
  }
}
