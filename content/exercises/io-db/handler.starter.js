// Checkout: read the user and their cart, then price the order.
//
// ctx.db.get(key) reads one row and costs --io-ms of waiting. Always `await` it: under the
// sync variants the wait blocks the thread, under async it does not; your code is the same.
//
// TODO: the two reads below do not depend on each other, yet the second only starts when the
// first is done. Start them together (Promise.all) and compare sync, async and sync-batch.
export async function handle(req, ctx) {
  const user = await ctx.db.get(`user:${req.userId}`);
  const cart = await ctx.db.get(`cart:${req.cartId}`);
  const discount = user.tier === 'gold' ? 0.1 : 0;
  return { userId: user.id, totalCents: Math.round(cart.totalCents * (1 - discount)) };
}
