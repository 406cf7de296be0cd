import { installCartUpdateFidelity } from './cart-update.fidelity';
import { installDiscountCodeCreateFidelity } from './discount-code-create.fidelity';
import type { FidelityLayer } from './fidelity-layer';
import { installPaymentCreateFidelity } from './payment-create.fidelity';
import { installQueryLimitsFidelity } from './query-limits.fidelity';
import { installStrictDraftFidelity } from './strict-draft.fidelity';

/** The checkout's fidelity (issue 12): discount codes and freezing, payments, query limits, strict drafts. */
export function installCheckoutFidelity(layer: FidelityLayer): void {
  installCartUpdateFidelity(layer);
  installDiscountCodeCreateFidelity(layer);
  installPaymentCreateFidelity(layer);
  installQueryLimitsFidelity(layer);
  installStrictDraftFidelity(layer);
}
