import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../sandbox/free-port';
import { serviceEnv, deleteKeys, KEYS, uniqueName } from '../support/harness';
import { waitFor } from '../support/wait';

/**
 * Four service processes (as four instances behind a load balancer) on one Redis and the emulator:
 * the uniqueness promise holds across instances, because the reservation is Redis' SET NX and
 * nothing about a session lives in an instance.
 */
describe('four instances on one Redis', () => {
  const INSTANCES = 4;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  const prefix = `${uniqueName('scale')}:`;
  let stderr = '';

  beforeAll(async () => {
    const projectKey = uniqueName('scale');
    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    for (const port of ports) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'main.ts')], {
        env: serviceEnv(projectKey, process.env.TEST_CT_URL ?? '', {
          PATH: process.env.PATH ?? '',
          REDIS_URL: process.env.TEST_REDIS_URL ?? '',
          REDIS_KEY_PREFIX: prefix,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          RATE_LIMIT_PER_MINUTE: '0',
        }),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      children.push(child);
      urls.push(`http://127.0.0.1:${port}`);
    }
    const ready = (url: string) =>
      fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    const deadline = Date.now() + 40_000;
    for (const url of urls) {
      await waitFor(() => ready(url), {
        timeoutMs: Math.max(0, deadline - Date.now()),
        intervalMs: 100,
        what: `an instance to become ready`,
      }).catch((error: Error) => {
        throw new Error(`${error.message}: ${stderr}`);
      });
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    const redis = new Redis(process.env.TEST_REDIS_URL ?? '');
    await deleteKeys(redis, `${prefix}*`);
    redis.disconnect();
  });

  const mint = (instance: number, body: object = {}) =>
    fetch(`${urls[instance % INSTANCES]}/v1/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEYS.a}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as { anonymousId?: string; code?: string },
    }));

  /** Runs `count` calls with at most `parallel` in flight at once. */
  async function bounded<T>(count: number, parallel: number, call: (i: number) => Promise<T>): Promise<T[]> {
    const results: T[] = new Array(count);
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < count) {
          const i = next++;
          results[i] = await call(i);
        }
      }),
    );
    return results;
  }

  test('when 2,000 mints are spread over the instances, then all 2,000 ids are distinct', async () => {
    const responses = await bounded(2000, 48, (i) => mint(i));
    expect(responses.filter((r) => r.status !== 201)).toEqual([]);
    const ids = new Set(responses.map((r) => r.body.anonymousId));
    expect(ids.size).toBe(2000);
    // Each instance minted its share (round robin), as its own metrics say.
    const minted = await Promise.all(
      urls.map(async (url) =>
        Number(
          /^sessions_events_total\{event="minted"\} (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1],
        ),
      ),
    );
    expect(minted).toEqual([500, 500, 500, 500]);
    expect(stderr).toBe('');
  }, 50_000);

  test('when 200 concurrent claims of 20 ids are spread over the instances, then exactly 20 succeed, one per id', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `${uniqueName('claim')}-${i}`);
    // Claim k of id j goes to instance (j + k) % 4: every id is claimed on every instance.
    const claims = Array.from({ length: 200 }, (_, n) => ({
      id: ids[n % 20]!,
      instance: (n % 20) + Math.floor(n / 20),
    }));
    const responses = await Promise.all(claims.map(({ id, instance }) => mint(instance, { anonymousId: id })));
    const winners = responses.filter((r) => r.status === 201);
    expect(winners).toHaveLength(20);
    expect(new Set(winners.map((r) => r.body.anonymousId))).toEqual(new Set(ids));
    const losers = responses.filter((r) => r.status !== 201);
    expect(losers).toHaveLength(180);
    for (const r of losers) {
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('AnonymousIdInUse');
    }
  }, 30_000);
});
