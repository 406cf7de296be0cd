import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../sandbox/free-port';
import { startRedisServer } from '../sandbox/redis-server';
import { measure, spawnNode, startFlags, stopAll, stopWithAll, waitFor, type Load } from './lib';
import { summariseProfile } from './profile-summary';
import { BENCH_AID_PREFIX } from './stub';

/**
 * Profiles one scenario: `npx tsx bench/profile.ts <carts|mint|lookup|passthrough> [seconds]`.
 * Starts the stub, a private Redis and the target with `--cpu-prof` (the service from dist/, so
 * run `npm run build` first), drives it with autocannon (32 connections, or CONNECTIONS) and prints where the
 * target spent its CPU, per package and per function, with the time per request.
 *
 * Env for A/B runs: NO_PROF=1 (no profiler: req/s and CPU µs per request only), NODE_FLAGS (more
 * node flags), NO_START_FLAGS=1 (without npm start's flags), SERVICE_MAIN (another build's
 * main.js), CLIENT=fetch (the passthrough with bare fetch), SERVICE_ENV (JSON of more service env),
 * LOG_FILE (where the service's log goes; /dev/null by default), CONNECTIONS (32; 1 for latency),
 * STUB_DELAY_MS (the stub's answer delay; 0).
 */
const ROOT = resolve(__dirname, '..');
const scenario = process.argv[2] ?? 'carts';
const seconds = Number(process.argv[3] ?? 10);
const DIR = join(ROOT, 'bench', 'profiles');
const KEY = 'bench-secret-0123456789abcdef';
const AID = `${BENCH_AID_PREFIX}carts-0`;

async function main(): Promise<void> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const redis = await startRedisServer();
  stopWithAll(redis.stop);
  const store = new Redis(redis.url);
  try {
    const stub = await spawnNode(
      'stub',
      ['--import', 'tsx', join(ROOT, 'bench', 'stub.ts')],
      { PORT: '0', STUB_DELAY_MS: process.env.STUB_DELAY_MS ?? '0' },
      { printsUrl: true },
    );
    const prof = [
      ...(process.env.NO_START_FLAGS === '1' ? [] : startFlags()),
      ...(process.env.NO_PROF === '1'
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${DIR}`, `--cpu-prof-name=${scenario}.cpuprofile`]),
      ...(process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean),
    ];
    let target: { pid: number; stop(): Promise<void> };
    let load: Load;
    if (scenario === 'passthrough') {
      const proxy = await spawnNode(
        'passthrough',
        ['--import', 'tsx', ...prof, join(ROOT, 'bench', 'passthrough.ts')],
        {
          NODE_ENV: 'production',
          UPSTREAM: stub.url,
          PROJECT_KEY: 'bench',
          PORT: '0',
          CLIENT: process.env.CLIENT ?? '',
        },
        { printsUrl: true },
      );
      target = proxy.child;
      load = {
        url: `${proxy.url}/bench/carts?where=anonymousId+%3D+%3Aaid&var.aid=${AID}&sort=lastModifiedAt+desc&limit=20&offset=0&withTotal=false`,
      };
    } else {
      const port = await freePort();
      const { child } = await spawnNode(
        'service',
        [...prof, process.env.SERVICE_MAIN ?? join(ROOT, 'dist', 'src', 'main.js')],
        {
          NODE_ENV: 'production',
          CTP_PROJECT_KEY: 'bench',
          CTP_CLIENT_ID: 'bench',
          CTP_CLIENT_SECRET: 'bench-secret',
          CTP_AUTH_URL: stub.url,
          CTP_API_URL: stub.url,
          CTP_SCOPES: 'manage_project:bench',
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: 'bench:',
          API_KEYS: `bench-pos:${KEY}:sessions`,
          IDEMPOTENCY_SECRET: 'bench-idempotency-secret-0123456789abcdef',
          PORT: String(port),
          RATE_LIMIT_PER_MINUTE: '0',
          ...(JSON.parse(process.env.SERVICE_ENV ?? '{}') as Record<string, string>),
        },
        { logFile: process.env.LOG_FILE ?? '/dev/null' },
      );
      const url = `http://127.0.0.1:${port}`;
      await waitFor(`${url}/readyz`, (status) => status === 200);
      await store.set(
        `bench:{${AID}}:session`,
        JSON.stringify({
          anonymousId: AID,
          clientId: 'bench-pos',
          status: 'active',
          createdAt: new Date().toISOString(),
        }),
      );
      target = child;
      const auth = { Authorization: `Bearer ${KEY}` };
      load =
        scenario === 'mint'
          ? {
              url: `${url}/v1/sessions`,
              method: 'POST',
              headers: { ...auth, 'Content-Type': 'application/json' },
              body: '{}',
            }
          : scenario === 'lookup'
            ? { url: `${url}/v1/sessions/${AID}`, headers: auth }
            : { url: `${url}/v1/sessions/${AID}/carts`, headers: auth };
    }
    const connections = Number(process.env.CONNECTIONS ?? 32);
    const warm = await measure(load, { connections, durationS: 3, pid: target.pid });
    const m = await measure(load, { connections, durationS: seconds, pid: target.pid });
    // Requests the profile saw: the start-up's few readiness probes aside, the warm-up and the run.
    const seen = warm.requests + m.requests;
    await target.stop();
    process.stdout.write(
      `${scenario}: ${m.rps} req/s, p50 ${m.p50_ms} ms, p99 ${m.p99_ms} ms, CPU ${m.cpu_us_per_req} µs/req, non-2xx ${m.non_2xx}, peak RSS ${m.peak_rss_mb} MB\n`,
    );
    if (process.env.NO_PROF !== '1')
      process.stdout.write(`${summariseProfile(join(DIR, `${scenario}.cpuprofile`), 40, seen)}\n`);
  } finally {
    await stopAll();
    store.disconnect();
    await redis.stop();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
process.stdout.on('error', () => undefined);

main().catch(async (error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  await stopAll();
  process.exit(1);
});
