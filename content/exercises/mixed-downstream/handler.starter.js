// Order pricing: validate and sign the order (CPU), then price its items (downstream calls).
//
// ctx.cpu.hash(text) is cpu-ms of computation. ctx.downstream.call({ sku }) asks the pricing
// service for one price; it accepts only --limit calls at once (extra calls queue for a slot).
// ctx.downstream.callMany([{ sku }, ...]) prices several items in ONE call (one slot).
//
// TODO: each order takes three slots of the pricing service at once. Under async with a small
// limit, the limit decides the throughput. Price the whole order with one callMany instead.
export async function handle(req, ctx) {
  const signature = ctx.cpu.hash(JSON.stringify(req));
  const prices = await Promise.all(req.skus.map((sku) => ctx.downstream.call({ sku })));
  const totalCents = prices.reduce((sum, p) => sum + p.cents, 0);
  return { orderId: req.orderId, totalCents, signature };
}
