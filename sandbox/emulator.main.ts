/**
 * Runs the commercetools emulator: `node --import tsx sandbox/emulator.main.ts`.
 *
 * Environment: PORT (default 0, a free port), HOST (default 127.0.0.1), SEED_PROJECT_KEYS
 * (comma-separated projects to seed with the demo catalogue), EMULATOR_LOG=1 (request log on stderr).
 * Once ready it prints exactly one line to stdout, `{"event":"listening","url":"http://127.0.0.1:PORT"}`,
 * and runs until SIGTERM/SIGINT, or until the parent that spawned it with an IPC channel goes away.
 */
import { seedCatalogue } from './catalogue';
import { startEmulator } from './emulator';

async function main(): Promise<void> {
  const port = Number(process.env.PORT || 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got '${process.env.PORT}'`);
  const host = process.env.HOST || '127.0.0.1';
  const seedProjectKeys = (process.env.SEED_PROJECT_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);

  const emulator = await startEmulator({ port, host, silent: process.env.EMULATOR_LOG !== '1' });
  for (const projectKey of seedProjectKeys) await seedCatalogue(emulator.url, projectKey);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator: closing failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Spawned by spawnEmulator: an orphaned emulator would hold its port forever, so follow the parent.
  if (process.send) process.once('disconnect', stop);

  process.stdout.write(`${JSON.stringify({ event: 'listening', url: emulator.url })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
