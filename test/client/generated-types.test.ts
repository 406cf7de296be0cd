import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLIENT_DIR = join(ROOT, 'clients', 'typescript');
const STALE = 'out of date: run `npm run client:generate` and commit clients/typescript';

/** The document the routes build now, and the types openapi-typescript makes of it, generated in memory. */
let current: { document: unknown; types: string };

beforeAll(() => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'generate-client.ts'), '--print'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 90_000,
  });
  if (run.status !== 0) throw new Error(`client:generate --print failed: ${run.stderr}`);
  current = JSON.parse(run.stdout);
}, 100_000);

describe('the typed client', () => {
  test('when the routes change, then the committed openapi.json is regenerated with them', () => {
    const committed: unknown = JSON.parse(readFileSync(join(CLIENT_DIR, 'openapi.json'), 'utf8'));

    expect({ [STALE]: committed }).toEqual({ [STALE]: current.document });
  });

  test('when the document changes, then the committed types are regenerated from it', () => {
    const committed = readFileSync(join(CLIENT_DIR, 'src', 'schema.d.ts'), 'utf8');

    expect(committed === current.types ? 'current' : STALE).toBe('current');
  });
});
