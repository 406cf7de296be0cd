import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenCache, TokenStore } from '@commercetools/ts-client';
import { COMPARE_AND_DELETE, type RedisClient } from './redis.client';
import type { UpstreamFetch } from './upstream-http.client';

export interface ClientCredentials {
  authUrl: string;
  projectKey: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  /** Bounds one token request, like any other commercetools call. */
  timeoutMs: number;
}

export interface SharedTokenOptions {
  /** Called once per token request, for metrics (operation `oauth.token`). */
  observe?: (operation: string, outcome: string, seconds: number) => void;
  /**
   * AES-256-GCM keys (32 bytes) of the token kept in Redis: the first encrypts, every one decrypts,
   * so a key is rotated by putting the new one first and dropping the old one after a token
   * lifetime. None: the token is never written to Redis, and each instance requests its own.
   */
  keys?: Buffer[];
  /** The HTTP client of token requests: the service's pool (upstream-http.client.ts); global fetch when absent. */
  fetch?: UpstreamFetch;
}

/**
 * The token as kept in Redis: `gcm1.<key id>.<iv>.<tag>.<ciphertext>` (base64url). The key id (a
 * digest prefix of the key) picks the decrypting key; the Redis key name is the additional data,
 * so a value copied under another name does not decrypt.
 */
class TokenCipher {
  private readonly byId = new Map<string, Buffer>();
  private readonly current: { id: string; key: Buffer };

  constructor(
    keys: Buffer[],
    private readonly aad: string,
  ) {
    for (const key of keys) this.byId.set(TokenCipher.idOf(key), key);
    this.current = { id: TokenCipher.idOf(keys[0]!), key: keys[0]! };
  }

  private static idOf(key: Buffer): string {
    return createHash('sha256').update('ctp-token-key\n').update(key).digest('hex').slice(0, 8);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv).setAAD(Buffer.from(this.aad));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url'));
    return ['gcm1', this.current.id, ...parts].join('.');
  }

  /** The plain text, or undefined when no configured key opens it (then it is renewed and overwritten). */
  open(value: string): string | undefined {
    const [version, id = '', iv = '', tag = '', sealed = ''] = value.split('.');
    const key = this.byId.get(id);
    if (version !== 'gcm1' || !key) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 })
        .setAAD(Buffer.from(this.aad))
        .setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** A token and when to renew it, as kept in Redis and in memory. */
interface SharedToken {
  token: string;
  /** From here on one instance renews it; the others keep using it meanwhile. */
  refreshAt: number;
  /** Nobody uses it after this; the Redis key expires then too, a bit before the token does. */
  staleAt: number;
}

/** Renewal starts this long before expiry (a tenth of the lifetime for short-lived tokens). */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** How often an instance waiting for another one's token re-reads Redis. */
const POLL_MS = 50;

/**
 * Thrown when no token can be had. It carries `statusCode` (0: no answer) the way ts-client errors
 * do, so the gateway reports it like any failed commercetools call; it never carries the token.
 */
export class TokenRequestError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

/**
 * One client-credentials token shared by every instance through Redis, plugged into the ts-client
 * as its `tokenCache`. `get` is read-through: it always answers a usable token, fetching one when
 * needed, so the ts-client's own token request only runs after a 401 (and then lands in `set`).
 * The ts-client cannot be left to fetch: its in-flight promise is passed by value, so concurrent
 * requests on a cold cache each request a token, and its token request has no timeout.
 *
 * Single flight: within a process one renewal promise; across instances a short `SET NX PX` lock,
 * so one instance requests the token while the others keep the current one or, without any, wait
 * briefly and re-read. A renewal before expiry runs in the background: no call waits for it.
 * Without Redis an instance falls back to a token of its own. In Redis the token is encrypted
 * (AES-256-GCM); without a configured key it is not shared at all.
 */
export class RedisTokenCache implements TokenCache {
  private readonly key: string;
  private readonly lockKey: string;
  private readonly lockMs: number;
  private local: SharedToken | undefined;
  private renewal: Promise<SharedToken> | undefined;
  /** Undefined: no key configured, the token stays in this process. */
  private readonly cipher: TokenCipher | undefined;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly credentials: ClientCredentials,
    private readonly options: SharedTokenOptions = {},
  ) {
    // Secrets stay out of the key; the digest sits in a hash tag so token and lock share a cluster slot.
    const identity = [
      credentials.authUrl,
      credentials.projectKey,
      credentials.clientId,
      [...credentials.scopes].sort().join(' '),
    ].join('\n');
    const digest = createHash('sha256').update(identity).digest('hex').slice(0, 32);
    this.key = `${keyPrefix}ctp-token:{${digest}}`;
    this.lockKey = `${this.key}:lock`;
    // The lock outlives one token request; a crashed holder's lock expires soon after.
    this.lockMs = credentials.timeoutMs + 2000;
    this.cipher = options.keys?.length ? new TokenCipher(options.keys, this.key) : undefined;
  }

  async get(): Promise<TokenStore> {
    const local = this.local;
    if (local && Date.now() < local.refreshAt) return toTokenStore(local);
    this.renewal ??= this.renew().finally(() => {
      this.renewal = undefined;
    });
    // Due but still in date: renewal runs in the background, this call goes on with the current token.
    const current = this.usable(local);
    if (current) {
      this.renewal.catch(() => undefined); // a failed renewal is tried again by a later call
      return toTokenStore(current);
    }
    return toTokenStore(await this.renewal);
  }

  /** Only the ts-client's retry after a 401 gets here: the token it fetched replaces the shared one. */
  async set(store: TokenStore): Promise<void> {
    const shared = this.schedule(store.token, store.expirationTime, Date.now());
    this.local = shared;
    await this.write(shared);
  }

  private async renew(): Promise<SharedToken> {
    if (!this.cipher) return (this.local = await this.request());
    try {
      return (this.local = await this.renewShared());
    } catch (error) {
      if (error instanceof TokenRequestError) throw error;
      // Redis is unavailable: this instance gets a token of its own rather than failing every call.
      return (this.local = await this.request());
    }
  }

  private async renewShared(): Promise<SharedToken> {
    const deadline = Date.now() + this.lockMs + POLL_MS;
    for (;;) {
      const current = await this.read();
      if (current && Date.now() < current.refreshAt) return current;
      const lock = randomUUID();
      if ((await this.redis.set(this.lockKey, lock, 'PX', this.lockMs, 'NX')) === 'OK') {
        try {
          // Another instance may have renewed between the read and the lock.
          const renewed = await this.read();
          if (renewed && Date.now() < renewed.refreshAt) return renewed;
          const fresh = await this.request();
          await this.write(fresh);
          return fresh;
        } catch (error) {
          // A failed renewal is no outage yet: the current token serves until it goes stale.
          const fallback = this.usable(current, this.local);
          if (fallback && error instanceof TokenRequestError) return fallback;
          throw error;
        } finally {
          await this.redis.eval(COMPARE_AND_DELETE, 1, this.lockKey, lock).catch(() => undefined);
        }
      }
      // Another instance is renewing: a token still in date serves meanwhile; without one, wait for its result.
      const usable = this.usable(current, this.local);
      if (usable) return usable;
      if (Date.now() >= deadline)
        throw new TokenRequestError(0, 'timeout waiting for the commercetools token another instance requests');
      await sleep(POLL_MS);
    }
  }

  /** The first of the tokens that is still in date. */
  private usable(...candidates: Array<SharedToken | undefined>): SharedToken | undefined {
    return candidates.find((t) => t !== undefined && Date.now() < t.staleAt);
  }

  private async read(): Promise<SharedToken | undefined> {
    const stored = this.cipher ? await this.redis.get(this.key) : null;
    const raw = stored ? this.cipher?.open(stored) : undefined;
    if (!raw) return undefined;
    let value: Partial<SharedToken> | null;
    try {
      value = JSON.parse(raw) as Partial<SharedToken> | null;
    } catch {
      return undefined; // unreadable: renewed and overwritten like a missing one
    }
    const valid =
      typeof value?.token === 'string' && typeof value.refreshAt === 'number' && typeof value.staleAt === 'number';
    return valid ? (value as SharedToken) : undefined;
  }

  private async write(shared: SharedToken): Promise<void> {
    const ttlMs = Math.floor(shared.staleAt - Date.now());
    if (ttlMs <= 0 || !this.cipher) return;
    // Not being able to share the token does not make it less usable here.
    await this.redis.set(this.key, this.cipher.seal(JSON.stringify(shared)), 'PX', ttlMs).catch(() => undefined);
  }

  /** Renewal starts REFRESH_BEFORE_MS (at most a tenth of the lifetime) before expiry; use stops halfway from there. */
  private schedule(token: string, expiresAt: number, now: number): SharedToken {
    const margin = Math.min(REFRESH_BEFORE_MS, (expiresAt - now) / 10);
    return { token, refreshAt: expiresAt - margin, staleAt: expiresAt - margin / 2 };
  }

  /** POST {authUrl}/oauth/token with the client credentials, as the ts-client would, but bounded in time. */
  private async request(): Promise<SharedToken> {
    const { authUrl, clientId, clientSecret, scopes, timeoutMs } = this.credentials;
    const started = Date.now();
    const timer = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      const body = new URLSearchParams({ grant_type: 'client_credentials' });
      if (scopes.length > 0) body.set('scope', scopes.join(' '));
      let response: Pick<Response, 'ok' | 'status' | 'json'>;
      try {
        response = await (this.options.fetch ?? fetch)(`${authUrl}/oauth/token`, {
          method: 'POST',
          headers: {
            Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
            'Content-Type': 'application/x-www-form-urlencoded',
            Accept: 'application/json',
          },
          body: body.toString(),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
        outcome = timedOut ? 'timeout' : 'network';
        throw new TokenRequestError(
          0,
          timedOut ? 'commercetools auth did not answer in time (timeout)' : 'commercetools auth is not reachable',
        );
      }
      const payload = (await response.json().catch(() => undefined)) as
        { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
      if (!response.ok || typeof payload?.access_token !== 'string' || typeof payload.expires_in !== 'number') {
        outcome = String(response.status);
        // Only the OAuth error code is passed on (`invalid_client`, ...), never the answer itself.
        const code = typeof payload?.error === 'string' ? ` (${payload.error})` : '';
        throw new TokenRequestError(
          response.ok ? 502 : response.status,
          `commercetools auth answered ${response.status}${code}`,
        );
      }
      return this.schedule(payload.access_token, started + payload.expires_in * 1000, started);
    } finally {
      this.options.observe?.('oauth.token', outcome, Number(process.hrtime.bigint() - timer) / 1e9);
    }
  }
}

/** What the ts-client checks: it uses the token while `Date.now() < expirationTime`. */
function toTokenStore(shared: SharedToken): TokenStore {
  return { token: shared.token, expirationTime: shared.staleAt };
}
