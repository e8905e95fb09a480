/**
 * The discrete-event agenda: what happens next, in time order.
 *
 * A binary min-heap keyed on (time, insertion sequence). Items pushed with equal times pop in the
 * order they were pushed (FIFO), so a simulation never depends on heap internals for ties.
 *
 * Storage is three parallel arrays (times, sequence numbers, items), grown by doubling, so
 * push/pop allocate nothing in the steady state. Push and pop are O(log n); peek is O(1).
 *
 * Usage:
 *   const agenda = new Agenda<number>();
 *   agenda.push(5, 1); agenda.push(2, 2); agenda.push(5, 3);
 *   agenda.peekTime();  // 2
 *   agenda.pop();       // 2, then 1, then 3 (1 was pushed before 3 at the same time)
 */
export class Agenda<T> {
  private times: Float64Array;
  private seqs: Float64Array;
  private items: (T | undefined)[];
  private n = 0;
  private nextSeq = 0;
  /** Time of the item most recently returned by `pop()` (NaN before the first pop). */
  lastTime = NaN;

  constructor(initialCapacity = 64) {
    const cap = Math.max(4, initialCapacity | 0);
    this.times = new Float64Array(cap);
    this.seqs = new Float64Array(cap);
    this.items = new Array<T | undefined>(cap);
  }

  /** Number of items waiting. */
  get size(): number {
    return this.n;
  }

  /** Schedules `item` at time `t`. `t` must not be NaN. */
  push(t: number, item: T): void {
    if (Number.isNaN(t)) throw new Error('Agenda.push: time is NaN.');
    if (this.n === this.times.length) this.grow();
    const seq = this.nextSeq++;
    // Sift up: move parents down until the slot for (t, seq) is found.
    let i = this.n++;
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < t || (pt === t && seqs[p] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p];
      items[i] = items[p];
      i = p;
    }
    times[i] = t;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Time of the next item, or `Infinity` when the agenda is empty. */
  peekTime(): number {
    return this.n > 0 ? this.times[0] : Infinity;
  }

  /** The next item without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.n > 0 ? this.items[0] : undefined;
  }

  /** Removes and returns the next item (earliest time, then earliest push), or `undefined`. */
  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const top = items[0];
    this.lastTime = times[0];
    const last = --this.n;
    if (last > 0) {
      // Sift the last element down from the root.
      const t = times[last];
      const s = seqs[last];
      const it = items[last];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= last) break;
        const r = c + 1;
        if (r < last && (times[r] < times[c] || (times[r] === times[c] && seqs[r] < seqs[c]))) c = r;
        if (t < times[c] || (t === times[c] && s < seqs[c])) break;
        times[i] = times[c];
        seqs[i] = seqs[c];
        items[i] = items[c];
        i = c;
      }
      times[i] = t;
      seqs[i] = s;
      items[i] = it;
    }
    items[last] = undefined;
    return top;
  }

  /** Removes everything (keeps the capacity). */
  clear(): void {
    for (let i = 0; i < this.n; i++) this.items[i] = undefined;
    this.n = 0;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const times = new Float64Array(cap);
    times.set(this.times);
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
    this.items.length = cap;
  }
}
