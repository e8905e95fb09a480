// The checkout exercise's data: requests and database rows, generated from the seed.

/** Request i: a user checking out their cart. */
export function makeRequest(_i, rng) {
  const userId = rng.int(1, 1000);
  return { userId, cartId: userId * 7 + rng.int(0, 6) };
}

/** The row stored under a key ('user:17', 'cart:123'). Deterministic: the same key, the same row. */
export function dbRecord(key) {
  const [table, raw] = key.split(':');
  const id = Number(raw);
  if (table === 'user') return { id, name: `user ${id}`, tier: id % 5 === 0 ? 'gold' : 'basic' };
  if (table === 'cart') return { id, items: 1 + (id % 4), totalCents: 1500 + ((id * 37) % 9000) };
  throw new Error(`no table "${table}" (keys look like user:17 or cart:123)`);
}
