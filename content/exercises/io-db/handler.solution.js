// Checkout: read the user and their cart, then price the order.
//
// The two reads are independent, so both are asked for at once. Under async they overlap (one
// io-ms instead of two); under sync-batch they land in the same batched call. Under sync nothing
// changes: a blocking read holds the thread, so the second still waits for the first.
export async function handle(req, ctx) {
  const [user, cart] = await Promise.all([ctx.db.get(`user:${req.userId}`), ctx.db.get(`cart:${req.cartId}`)]);
  const discount = user.tier === 'gold' ? 0.1 : 0;
  return { userId: user.id, totalCents: Math.round(cart.totalCents * (1 - discount)) };
}
