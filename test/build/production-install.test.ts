import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

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

describe('the production install', () => {
  test('when dev dependencies are omitted, then neither the emulator nor the sandbox tools are installed', () => {
    const installed = execFileSync(npm, ['ls', '--omit=dev', '--all', '--parseable', '--workspaces=false'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .map((path) => relative(ROOT, path));

    const sandboxOnly = installed.filter((path) =>
      /node_modules\/(@labdigital|fastify|tsx|openapi-typescript|openapi-fetch|@ct-guest-checkout)(\/|$)/.test(path),
    );
    expect(sandboxOnly).toEqual([]);
    expect(installed).toContain('node_modules/express');
  });

  test('when the service is built, then only src is compiled into dist', () => {
    const compiled = execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter((path) => path && !path.includes('/node_modules/'))
      .map((path) => relative(ROOT, path));

    expect(compiled.filter((path) => !path.startsWith('src/'))).toEqual([]);
    expect(compiled).toEqual(expect.arrayContaining(['src/main.ts', 'src/cli/keys.cli.ts']));
  }, 60_000);

  test('when src imports a package, then it is a production dependency', () => {
    expect(undeclared(['src'], pkg.dependencies)).toEqual([]);
  });

  test('when the sandbox, tests, benchmarks or scripts import a package, then it is declared', () => {
    const declared = { ...pkg.dependencies, ...pkg.devDependencies, '@ct-guest-checkout/client': 'workspace' };

    expect(undeclared(['sandbox', 'test', 'bench', 'scripts'], declared)).toEqual([]);
  });
});
