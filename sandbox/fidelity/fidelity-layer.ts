import type { Cart, CartResourceIdentifier } from '@commercetools/platform-sdk';
import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';

/**
 * The plumbing every fidelity addition shares: replacing or adding routes of the mock's Fastify app,
 * answering errors in the commercetools shape, reaching the mock's repositories, and serialising
 * read-check-write sequences per project.
 */

export interface CtErrorDetail {
  code: string;
  message: string;
  [field: string]: unknown;
}

/**
 * An error answered as commercetools does: `{statusCode, message, errors: [{code, message, ...}]}`.
 * https://docs.commercetools.com/api/errors
 * (The mock's own CommercetoolsError is not exported, so the layer answers its errors itself.)
 */
export class CtError extends Error {
  constructor(
    readonly statusCode: number,
    readonly detail: CtErrorDetail,
  ) {
    super(detail.message);
  }

  get body(): { statusCode: number; message: string; errors: CtErrorDetail[] } {
    return { statusCode: this.statusCode, message: this.message, errors: [this.detail] };
  }
}

/** A required draft field is missing: commercetools answers InvalidJsonInput. */
export function missingField(field: string): CtError {
  return new CtError(400, {
    code: 'InvalidJsonInput',
    message: 'Request body does not contain valid JSON.',
    detailedErrorMessage: `${field}: Missing required value`,
  });
}

export type MockHandler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/** Handles a request; `mockHandler` is the mock's own handler of the route, for cases left to the mock. */
export type FidelityHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
  mockHandler: MockHandler,
) => Promise<unknown>;

export type RepositoryContext = { projectKey: string; clientId?: string };

type CartRepository = ReturnType<FidelityLayer['carts']>;
export type QueryParams = NonNullable<Parameters<CartRepository['query']>[1]>;

/** No page limit: the emulator keeps everything in memory, and the layer's lookups need every match. */
export const ALL = Number.MAX_SAFE_INTEGER;

const routeKey = (method: string, url: string): string => `${method} ${url.replace(/\/+$/, '')}`;

export class FidelityLayer {
  private readonly overrides = new Map<string, FidelityHandler>();
  private readonly applied = new Set<string>();
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(readonly mock: CommercetoolsMock) {
    // The mock registers its routes in plugins that load when the app gets ready, so an onRoute hook
    // added now sees each of them and can swap the handler. The mock's auth preHandler still runs.
    mock.app.addHook('onRoute', (route) => {
      if (typeof route.method !== 'string') return;
      const key = routeKey(route.method, route.url);
      const handler = this.overrides.get(key);
      if (!handler) return;
      this.applied.add(key);
      route.handler = this.wrap(handler, route.handler);
    });
    // Fails loudly if a mock upgrade renamed a route, instead of silently losing the fidelity.
    mock.app.addHook('onReady', async () => {
      const missed = [...this.overrides.keys()].filter((key) => !this.applied.has(key));
      if (missed.length > 0) throw new Error(`fidelity layer: the mock has no route for ${missed.join(', ')}`);
    });
  }

  /** Replaces the handler of an existing mock route, e.g. `override('POST', '/:projectKey/orders', ...)`. */
  override(method: 'GET' | 'HEAD' | 'POST', url: string, handler: FidelityHandler): void {
    this.overrides.set(routeKey(method, url), handler);
  }

  /** Adds a route the mock lacks (at the root, so outside the mock's auth preHandler, which checks no token here anyway). */
  addRoute(method: 'POST', url: string, handler: FidelityHandler): void {
    const notInMock: MockHandler = (_request, reply) => reply.callNotFound();
    this.mock.app.route({ method, url, handler: this.wrap(handler, notInMock) });
  }

  carts(projectKey: string) {
    return this.mock.project(projectKey).getRepository('cart');
  }

  orders(projectKey: string) {
    return this.mock.project(projectKey).getRepository('order');
  }

  customers(projectKey: string) {
    return this.mock.project(projectKey).getRepository('customer');
  }

  /** The Cart a draft references by id or key; commercetools answers ReferencedResourceNotFound for none. */
  async referencedCart(context: RepositoryContext, reference: Partial<CartResourceIdentifier>): Promise<Cart> {
    const carts = this.carts(context.projectKey);
    const cart = reference.id
      ? await carts.get(context, reference.id)
      : reference.key
        ? await carts.getByKey(context, reference.key)
        : null;
    if (cart) return cart;
    const identifier = reference.id ? { id: reference.id } : { key: reference.key };
    throw new CtError(400, {
      code: 'ReferencedResourceNotFound',
      message: `The referenced object of type 'cart' ${reference.id ? `with id '${reference.id}'` : `with key '${reference.key}'`} was not found.`,
      typeId: 'cart',
      ...identifier,
    });
  }

  /**
   * The repository context the mock's own services build from a request: the project key, and the
   * API client of the bearer token, which the mock records as createdBy/lastModifiedBy.
   */
  context(request: FastifyRequest): RepositoryContext {
    const { projectKey } = request.params as { projectKey: string };
    const token = /^Bearer\s(\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    return { projectKey, clientId: token === undefined ? undefined : this.mock.authStore().getClientIdForToken(token) };
  }

  /**
   * Runs `task` after every task queued before it for the same key. The layer's operations read,
   * check and then write (e.g. version check, then order creation, then the cart's state), so two
   * concurrent requests must not interleave between the check and the write.
   */
  exclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  private wrap(handler: FidelityHandler, mockHandler: RouteHandlerMethod | MockHandler): RouteHandlerMethod {
    return async function (this: FastifyInstance, request, reply) {
      try {
        return await handler(request, reply, (req, rep) => mockHandler.call(this, req, rep));
      } catch (error) {
        if (error instanceof CtError) return reply.status(error.statusCode).send(error.body);
        throw error; // the mock's error handler shapes its own errors
      }
    };
  }
}

/** A query parameter as a list: qs yields a string for one value and an array for repeated ones. */
export function listParam(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}
