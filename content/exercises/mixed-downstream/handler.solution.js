// Order pricing: validate and sign the order (CPU), then price its items (downstream calls).
//
// One callMany prices the whole order with one slot of the limited pricing service, so three
// times as many orders fit under the same limit. (sync-batch goes further: one call per group.)
export async function handle(req, ctx) {
  const signature = ctx.cpu.hash(JSON.stringify(req));
  const prices = await ctx.downstream.callMany(req.skus.map((sku) => ({ sku })));
  const totalCents = prices.reduce((sum, p) => sum + p.cents, 0);
  return { orderId: req.orderId, totalCents, signature };
}
