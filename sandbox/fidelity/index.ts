import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { UsedAnonymousIds } from './anonymous-id-reuse.fidelity';
import { installCartCreateFidelity } from './cart-create.fidelity';
import { installCartMergeFidelity } from './cart-merge.fidelity';
import { installCheckoutFidelity } from './checkout.fidelity';
import { installCustomerSignUpFidelity } from './customer-sign-up.fidelity';
import { FidelityLayer } from './fidelity-layer';
import { installInStoreFencingFidelity } from './in-store-fencing.fidelity';
import { installLoginFidelity } from './login.fidelity';
import { installOrderFromCartFidelity } from './order-from-cart.fidelity';
import { installQueryHeadFidelity } from './query-head.fidelity';
import { installQuerySortFidelity } from './query-sort.fidelity';
import { installTokenScopeFidelity } from './token-scope.fidelity';

/**
 * Adds the commercetools behaviour our service relies on and the mock lacks. Must run before the
 * mock's app is ready (before `listen`/`ready`), because it swaps handlers as the mock's routes register.
 */
export function installFidelity(mock: CommercetoolsMock): void {
  const layer = new FidelityLayer(mock);
  // First, so every request (also to the routes the layer adds) meets the scope check.
  installTokenScopeFidelity(layer);
  const usedAnonymousIds = new UsedAnonymousIds();
  installLoginFidelity(layer, usedAnonymousIds);
  installCustomerSignUpFidelity(layer, usedAnonymousIds);
  installCartCreateFidelity(layer, usedAnonymousIds);
  installOrderFromCartFidelity(layer);
  installQuerySortFidelity(layer);
  installQueryHeadFidelity(layer);
  installCheckoutFidelity(layer);
  installCartMergeFidelity(layer);
  installInStoreFencingFidelity(layer);
}
