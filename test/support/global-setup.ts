import { spawnEmulator } from '../../sandbox/emulator-process';
import { startRedisServer } from '../../sandbox/redis-server';

/**
 * One private redis-server and one emulator for the whole run; each test file isolates itself
 * with its own commercetools project key and Redis key prefix.
 */
export default async function globalSetup(): Promise<void> {
  const [redis, emulator] = await Promise.all([startRedisServer(), spawnEmulator()]);
  process.env.TEST_REDIS_URL = redis.url;
  process.env.TEST_CT_URL = emulator.url;
  (globalThis as Record<string, unknown>).__testProcesses = { redis, emulator };
}
