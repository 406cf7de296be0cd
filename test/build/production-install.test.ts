import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { seedCatalogue } from '../../sandbox/catalogue';
import { KEYS, serviceEnv, uniqueName } from '../support/harness';

/**
 * The runtime image installs `npm ci --omit=dev --workspaces=false` and copies dist/ (built by
 * tsconfig.build.json): these tests check both against the repository as it is.
 */
const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.includes('node_modules'))
    .map((file) => join(dir, file));
}

/** The packages a file imports or requires by bare name (`pino`, `@scope/name`), not its relative imports. */
function packagesImportedBy(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [
    ...source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm),
    ...source.matchAll(/^import\s+'([^']+)'/gm),
    ...source.matchAll(/\b(?:require|require\.resolve|import)\('([^']+)'\)/g),
  ];
  return specifiers
    .map(([, specifier]) => specifier!)
    .filter(
      (specifier) =>
        !specifier.startsWith('.') &&
        !specifier.startsWith('node:') &&
        !builtinModules.includes(specifier.split('/')[0]!),
    )
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

function undeclared(dirs: string[], declared: Record<string, string>): string[] {
  return dirs
    .flatMap(tsFiles)
    .flatMap((file) => packagesImportedBy(file).map((name) => `${file} imports ${name}`))
    .filter((line) => !(line.split(' imports ')[1]! in declared));
}

/** What `npm ci --omit=dev --workspaces=false` installs, as paths relative to the repository. */
function productionPackages(): string[] {
  return execFileSync(npm, ['ls', '--omit=dev', '--all', '--parseable', '--workspaces=false'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .map((path) => relative(ROOT, path));
}

/** The image's /app: dist built from src, beside a node_modules of links to the production packages only. */
let lean: string;

beforeAll(() => {
  lean = mkdtempSync(join(tmpdir(), 'lean-'));
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(lean, 'dist')],
    { cwd: ROOT },
  );
  for (const path of productionPackages().filter((p) => /^node_modules\/(@[^/]+\/)?[^/@]+$/.test(p))) {
    mkdirSync(dirname(join(lean, path)), { recursive: true });
    symlinkSync(join(ROOT, path), join(lean, path));
  }
}, 90_000);
afterAll(() => rmSync(lean, { recursive: true, force: true }));

describe('the production install', () => {
  test('when dev dependencies are omitted, then neither the emulator nor the sandbox tools are installed', () => {
    const installed = productionPackages();

    const sandboxOnly = installed.filter((path) =>
      /node_modules\/(@labdigital|fastify|tsx|openapi-typescript|openapi-fetch|@ct-guest-checkout)(\/|$)/.test(path),
    );
    expect(sandboxOnly).toEqual([]);
    expect(installed).toContain('node_modules/express');
  });

  test('when the service is built, then dist holds src only (no sandbox), the entry point and the keys CLI', () => {
    const dist = join(lean, 'dist');

    expect(readdirSync(dist)).toEqual(['src']);
    expect(existsSync(join(dist, 'src', 'main.js'))).toBe(true);
    expect(existsSync(join(dist, 'src', 'cli', 'keys.cli.js'))).toBe(true);
  });

  test('when src imports a package, then it is a production dependency', () => {
    expect(undeclared(['src'], pkg.dependencies)).toEqual([]);
  });

  test('when the sandbox, tests, benchmarks or scripts import a package, then it is declared', () => {
    const declared = { ...pkg.dependencies, ...pkg.devDependencies, '@ct-guest-checkout/client': 'workspace' };

    expect(undeclared(['sandbox', 'test', 'bench', 'scripts'], declared)).toEqual([]);
  });

  test('when the built service runs on production packages alone, then it starts and answers', async () => {
    // Arrange: a project in the emulator, Redis, and the tests' keys.
    const projectKey = uniqueName('lean');
    await seedCatalogue(process.env.TEST_CT_URL!, projectKey);
    const env = serviceEnv(projectKey, process.env.TEST_CT_URL!, {
      REDIS_URL: process.env.TEST_REDIS_URL!,
      REDIS_KEY_PREFIX: `${projectKey}:`,
      PORT: '0',
    });

    // Act: `npm start`'s command in the image.
    const child = spawn(process.execPath, [join(lean, 'dist', 'src', 'main.js')], {
      cwd: lean,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not listening: ${output}`)), 30_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          const listening = /"url":"(http:[^"]+)"[^\n]*service listening/.exec(output);
          if (listening) resolve(listening[1]!);
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.once('exit', () => reject(new Error(`exited: ${output}`)));
        void exited.then(() => clearTimeout(timer));
      });
      const ready = await fetch(`${url}/readyz`);
      const session = await fetch(`${url}/v1/sessions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEYS.a}`, 'Content-Type': 'application/json' },
        body: '{}',
      });

      // Assert
      expect(ready.status).toBe(200);
      expect(session.status).toBe(201);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 90_000);

  test('when the keys CLI runs from dist on production packages alone, then it creates and lists a key', () => {
    const env = {
      PATH: process.env.PATH ?? '',
      REDIS_URL: process.env.TEST_REDIS_URL!,
      REDIS_KEY_PREFIX: `${uniqueName('lean')}:`,
    };
    const keys = (...args: string[]) =>
      execFileSync(process.execPath, [join(lean, 'dist', 'src', 'cli', 'keys.cli.js'), ...args], {
        cwd: lean,
        env,
        encoding: 'utf8',
      });

    keys('create', '--client-id', 'lean-check', '--scopes', 'sessions');
    const listed = keys('list');

    expect(listed).toContain('lean-check');
  });
});
