import type { CartDraft } from '@commercetools/platform-sdk';
import type { UsedAnonymousIds } from './anonymous-id-reuse.fidelity';
import { CtError, type FidelityLayer } from './fidelity-layer';

/**
 * `POST /{projectKey}/carts`, "Create Cart". The mock drops the draft's `key` and does not know
 * used anonymousIds. commercetools:
 * - `key` is a "user-defined unique identifier of the Cart": it is stored (so
 *   `GET /carts/key={key}` finds the cart) and a taken key answers 400 DuplicateField;
 * - an anonymousId that was used for sign-in or sign-up answers 400 InvalidOperation
 *   (see anonymous-id-reuse.fidelity.ts).
 * https://docs.commercetools.com/api/projects/carts#ctp:api:type:CartDraft
 * https://docs.commercetools.com/api/errors#duplicatefield
 */
export function installCartCreateFidelity(layer: FidelityLayer, usedAnonymousIds: UsedAnonymousIds): void {
  layer.override('POST', '/:projectKey/carts', async (request, reply, mockHandler) => {
    const draft = request.body as Partial<CartDraft> | undefined;
    const context = layer.context(request);
    usedAnonymousIds.assertUnused(context.projectKey, draft?.anonymousId);
    const key = draft?.key;
    if (key === undefined) return mockHandler(request, reply);
    const carts = layer.carts(context.projectKey);
    const cart = await layer.exclusive(context.projectKey, async () => {
      if (await carts.getByKey(context, key)) {
        throw new CtError(400, {
          code: 'DuplicateField',
          message: `A duplicate value '"${key}"' exists for field 'key'.`,
          field: 'key',
          duplicateValue: key,
        });
      }
      const created = await carts.create(context, draft as CartDraft);
      // Part of the creation, not an update: stored as is, same version.
      const keyed = { ...created, key };
      await layer.mock.project(context.projectKey).unsafeAdd('cart', keyed);
      return keyed;
    });
    return reply.status(201).send(cart);
  });
}
