import { compileErrors, validate } from '@readme/openapi-parser';
import type { Express } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { METHODS as HTTP_METHODS } from 'node:http';
import { join } from 'node:path';
import { createMetrics } from '../../src/http/metrics';
import * as readiness from '../../src/http/readiness';
import type { RouteSpec } from '../../src/http/route';
import { allRoutes } from '../../src/http/routes';
import * as operationsModule from '../../src/http/routes/operations.routes';
import type { V1Services } from '../../src/http/routes/v1.routes';
import * as schemas from '../../src/http/schemas';
import { agent } from '../support/fixtures';
import { createTestContext, type TestContext } from '../support/harness';

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { name?: string; stack?: unknown };
}

interface MediaType {
  schema?: { $ref?: string };
  example?: unknown;
  examples?: Record<string, { value: Record<string, unknown> }>;
}

interface Operation {
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** `METHOD /path/{param}` for every route Express serves, read from the app's own router. */
function servedRoutes(app: Express): { routes: string[]; fallbackPaths: string[]; nested: string[] } {
  const stack = (app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
  const template = (path: string) => path.replace(/:(\w+)/g, '{$1}');
  const routes: string[] = [];
  const fallbackPaths: string[] = [];
  const nested: string[] = [];
  for (const layer of stack) {
    if (!layer.route) {
      // A router or sub-app mounted with app.use would hide its routes from this walk.
      if (layer.handle.stack !== undefined || layer.handle.name === 'mounted_app')
        nested.push(layer.handle.name ?? 'anonymous');
      continue;
    }
    const { path, methods } = layer.route;
    // app.all registers every method: these are the 405 answers for a known path, not operations.
    if (methods._all || HTTP_METHODS.every((m) => methods[m.toLowerCase()])) {
      fallbackPaths.push(template(path));
      continue;
    }
    for (const method of Object.keys(methods)) routes.push(`${method.toUpperCase()} ${template(path)}`);
  }
  return { routes, fallbackPaths, nested };
}

function operations(doc: any): Array<{ id: string; operation: Operation }> {
  return Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ id: `${method.toUpperCase()} ${path}`, operation })),
  );
}

/** The media type's own example, or the example of the schema it references. */
function exampleOf(doc: any, media: MediaType): unknown {
  if (media.example !== undefined) return media.example;
  const ref = media.schema?.$ref;
  return ref
    ? doc.components.schemas[ref.replace('#/components/schemas/', '')]?.example
    : (media.schema as { example?: unknown } | undefined)?.example;
}

const ROOT = join(__dirname, '..', '..');

/** The rows of the route table in src/http/routes/index.ts: route, schemas, test file. */
function routeIndexRows(): Array<{ route: string; schemas: string; test: string }> {
  const source = readFileSync(join(ROOT, 'src', 'http', 'routes', 'index.ts'), 'utf8');
  return [...source.matchAll(/^ \* \| ((?:GET|POST|PUT|PATCH|DELETE) \S+)\s*\| (.*?)\s*\| (\S+)\s*\|$/gm)].map((m) => ({
    route: m[1]!,
    schemas: m[2]!,
    test: m[3]!,
  }));
}

/** `Body, Query -> Response` by the exported names of the spec's schemas; text answers keep the table's words. */
function schemaNames(spec: RouteSpec, written: string): string {
  const names = new Map<unknown, string>();
  for (const module of [schemas, readiness, operationsModule])
    for (const [name, value] of Object.entries(module)) names.set(value, name);
  const nameOf = (schema: unknown) => names.get(schema) ?? '(unexported schema)';
  const request = [spec.body, spec.query].filter(Boolean).map(nameOf).join(', ');
  const json = (spec.success.contentType ?? 'application/json') === 'application/json';
  const response = json ? nameOf(spec.success.schema) : written.split('-> ')[1];
  return `${request ? `${request} ` : ''}-> ${response}`;
}

describe('the OpenAPI document', () => {
  let ctx: TestContext;
  let doc: any;
  beforeAll(async () => {
    ctx = await createTestContext();
    doc = (await ctx.http.get('/openapi.json').expect(200)).body;
  });
  afterAll(() => ctx.close());

  test('when the routes Express serves are compared with the document, then every method and path is in both', () => {
    const app = ctx.server.listeners('request')[0] as Express;
    const { routes, fallbackPaths, nested } = servedRoutes(app);
    expect(nested).toEqual([]);
    expect(routes.length).toBeGreaterThan(0);
    // The operations routes come from specs too: served and documented alike.
    const operationsRoutes = ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json', 'GET /docs'];
    expect(routes).toEqual(expect.arrayContaining(operationsRoutes));
    const documented = operations(doc).map((o) => o.id);
    expect([...routes].sort()).toEqual([...documented].sort());
    // The 405 fallbacks only cover documented paths.
    for (const path of fallbackPaths) expect(Object.keys(doc.paths)).toContain(path);
  });

  test('when the route index is read, then it lists every served route in order, with its schemas and an existing test file', () => {
    const app = ctx.server.listeners('request')[0] as Express;
    const rows = routeIndexRows();
    expect(rows.map((row) => row.route)).toEqual(servedRoutes(app).routes);
    const specs = allRoutes(
      {} as V1Services,
      { readiness: async () => ({ ready: true, checks: {} }), metrics: createMetrics() },
      '0',
    );
    for (const [i, spec] of specs.entries()) {
      const row = rows[i]!;
      expect({ route: row.route, schemas: row.schemas }).toEqual({
        route: `${spec.method.toUpperCase()} ${spec.path}`,
        schemas: schemaNames(spec, row.schemas),
      });
      expect({ route: row.route, test: existsSync(join(ROOT, 'test', row.test)) }).toEqual({
        route: row.route,
        test: true,
      });
    }
  });

  test('when an operations route is read, then it takes no key, has no problem answers and names its media type', () => {
    const ops = operations(doc).filter((o) => !o.id.includes(' /v1/'));
    expect(ops.map((o) => o.id).sort()).toEqual(
      ['GET /docs', 'GET /healthz', 'GET /metrics', 'GET /openapi.json', 'GET /readyz'].sort(),
    );
    for (const { id, operation } of ops) {
      expect({ id, security: (operation as { security?: unknown }).security }).toEqual({ id, security: [] });
      const statuses = Object.keys(operation.responses);
      expect({ id, statuses }).toEqual({ id, statuses: id === 'GET /readyz' ? ['200', '503'] : ['200'] });
    }
    const mediaTypes = (path: string) => Object.keys(doc.paths[path].get.responses['200'].content);
    expect(mediaTypes('/metrics')).toEqual(['text/plain']);
    expect(mediaTypes('/docs')).toEqual(['text/html']);
    expect(mediaTypes('/healthz')).toEqual(['application/json']);
  });

  test('when the document is validated against the OpenAPI 3.1 schema, then it has no errors', async () => {
    const result = await validate(structuredClone(doc));
    expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  test('when an operation is read, then its success response and request body carry examples', () => {
    for (const { id, operation } of operations(doc)) {
      const success = Object.entries(operation.responses).filter(([status]) => /^2/.test(status));
      expect({ id, successes: success.length }).toEqual({ id, successes: 1 });
      for (const [, response] of success) {
        for (const media of Object.values(response.content ?? {}))
          expect({ id, example: exampleOf(doc, media) !== undefined }).toEqual({ id, example: true });
      }
      for (const media of Object.values(operation.requestBody?.content ?? {}))
        expect({ id, body: exampleOf(doc, media) !== undefined }).toEqual({ id, body: true });
    }
  });

  test('when an error response is read, then it is a Problem with one example per code it names, of its status', () => {
    const v1 = operations(doc).filter((o) => o.id.includes(' /v1/'));
    expect(v1.length).toBeGreaterThan(0);
    for (const { id, operation } of v1) {
      const errors = Object.entries(operation.responses).filter(([status]) => /^[45]/.test(status));
      expect(errors.map(([status]) => status)).toEqual(expect.arrayContaining(['401', '403', '503']));
      for (const [status, response] of errors) {
        expect({ id, status, types: Object.keys(response.content ?? {}) }).toEqual({
          id,
          status,
          types: ['application/problem+json'],
        });
        const media = response.content!['application/problem+json']!;
        expect(media.schema).toEqual({ $ref: '#/components/schemas/Problem' });
        const named = response.description.replace(/^Problem: /, '').split(', ');
        expect(Object.keys(media.examples ?? {})).toEqual(named);
        for (const [code, example] of Object.entries(media.examples ?? {}))
          expect(example.value).toMatchObject({ code, status: Number(status) });
      }
    }
  });

  test('when the service answers a documented error, then the problem has the members of its example', async () => {
    const response = await agent(ctx).get('/v1/sessions/not-a-session').expect(404);
    const example =
      doc.paths['/v1/sessions/{anonymousId}'].get.responses['404'].content['application/problem+json'].examples
        .SessionNotFound.value;
    expect(Object.keys(response.body).sort()).toEqual(Object.keys(example).sort());
    expect(response.body).toMatchObject({
      type: example.type,
      title: example.title,
      status: 404,
      code: 'SessionNotFound',
    });
  });
});
