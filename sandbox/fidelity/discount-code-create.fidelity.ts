import type { DiscountCodeDraft } from '@commercetools/platform-sdk';
import type { FidelityLayer } from './fidelity-layer';

/**
 * `POST /{projectKey}/discount-codes`, "Create DiscountCode". The mock drops the draft's `key` and
 * stores every code as active (`isActive: draft.isActive || true`). commercetools stores the `key`
 * ("User-defined unique identifier", so `GET /discount-codes/key={key}` finds it) and keeps
 * `isActive: false` ("Only active Discount Codes can be applied to the Cart"; default true).
 * https://docs.commercetools.com/api/projects/discountCodes#ctp:api:type:DiscountCodeDraft
 */
export function installDiscountCodeCreateFidelity(layer: FidelityLayer): void {
  layer.override('POST', '/:projectKey/discount-codes', async (request, reply, mockHandler) => {
    const draft = request.body as Partial<DiscountCodeDraft> | undefined;
    if (draft?.key === undefined && draft?.isActive !== false) return mockHandler(request, reply);
    const context = layer.context(request);
    const project = layer.mock.project(context.projectKey);
    const created = await project.getRepository('discount-code').create(context, draft as DiscountCodeDraft);
    // Part of the creation, not an update: stored as is, same version.
    const stored = { ...created, key: draft.key, isActive: draft.isActive ?? true };
    await project.unsafeAdd('discount-code', stored);
    return reply.status(201).send(stored);
  });
}
