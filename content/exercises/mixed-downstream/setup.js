// The pricing exercise's data: orders of three items, and the pricing service's answers.

/** Request i: an order of three distinct SKUs. */
export function makeRequest(i, rng) {
  const skus = new Set();
  while (skus.size < 3) skus.add(`sku-${rng.int(1, 500)}`);
  return { orderId: i + 1, skus: [...skus] };
}

/** The pricing service's answer to { sku }. */
export function downstreamReply(request) {
  if (!request || typeof request.sku !== 'string') throw new Error('the pricing service expects { sku: "sku-12" }');
  const n = Number(request.sku.slice(4));
  return { sku: request.sku, cents: 199 + ((n * 7919) % 5000) };
}
