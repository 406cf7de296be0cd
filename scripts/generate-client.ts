/**
 * `npm run client:generate`: writes the service's OpenAPI document to clients/typescript/openapi.json
 * and the types generated from it by openapi-typescript to clients/typescript/src/schema.d.ts.
 * Run it after changing a route; test/client/generated-types.test.ts fails until then.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from './openapi-document';
import { CLIENT_DIR, generateTypes } from './client-types';

async function main(): Promise<void> {
  const document = openApiDocument();
  writeFileSync(join(CLIENT_DIR, 'openapi.json'), `${JSON.stringify(document, null, 2)}\n`);
  writeFileSync(join(CLIENT_DIR, 'src', 'schema.d.ts'), await generateTypes(document));
  process.stdout.write(`wrote ${join('clients', 'typescript', 'openapi.json')} and src/schema.d.ts\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`client:generate failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
