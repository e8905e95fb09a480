import { describe, expect, it } from 'vitest';
import { placeEndLabels } from '#widgets/shared/charts/labels';
import { textWidth } from '#widgets/shared/charts/measure';

const overlap = (a: { x0: number; x1: number; y0: number; y1: number }, b: typeof a) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

describe('end labels of a chart (placeEndLabels)', () => {
  it('keeps labels of lines ending close together from overlapping (the latency CDF’s four variants)', () => {
    // sync ends far right; async, sync + batching and parallel pool end within a few px of each other
    const items = [
      { key: 'async', text: 'async', x: 120, y: 24 },
      { key: 'sync-batch', text: 'sync + batching', x: 126, y: 24 },
      { key: 'parallel', text: 'parallel pool', x: 200, y: 24 },
      { key: 'sync', text: 'sync', x: 540, y: 24 },
    ];
    const placed = placeEndLabels(items, { right: 560, px: 13, lineHeight: 15 });
    expect(placed).toHaveLength(4);
    for (let i = 0; i < placed.length; i++)
      for (let j = i + 1; j < placed.length; j++) expect(overlap(placed[i].box, placed[j].box), `${placed[i].key} / ${placed[j].key}`).toBe(false);
    // a label with room stays where it wanted to be, next to its line
    expect(placed.find((p) => p.key === 'async')!.y).toBe(24);
  });

  it('nudges a label turned to end at the right edge off the one it now covers (the old pass compared line ends within 120 px only)', () => {
    // "sync + batching" ends at 450, too near the edge: drawn leftwards over "parallel pool" (which ends at 300, 150 px away)
    const placed = placeEndLabels(
      [
        { key: 'parallel', text: 'parallel pool', x: 300, y: 24 },
        { key: 'sync-batch', text: 'sync + batching', x: 450, y: 24 },
      ],
      { right: 558, px: 13, lineHeight: 15 },
    );
    const [pool, batching] = placed;
    expect(batching.anchor).toBe('end');
    expect(batching.box.x0).toBeLessThan(pool.box.x1); // they share columns...
    expect(overlap(pool.box, batching.box)).toBe(false); // ...so not a row
    expect(batching.y).toBe(24 + 15);
  });

  it('anchors a label at its end when it would run past the right edge, and keeps it inside', () => {
    const [p] = placeEndLabels([{ key: 'sync', text: 'sync + batching', x: 550, y: 20 }], { right: 560, px: 13 });
    expect(p.anchor).toBe('end');
    expect(p.box.x1).toBeLessThanOrEqual(560);
    expect(p.box.x1 - p.box.x0).toBeCloseTo(textWidth('sync + batching', 13), 6);
  });

  it('leaves labels far apart alone', () => {
    const placed = placeEndLabels(
      [
        { key: 'a', text: 'async', x: 50, y: 20 },
        { key: 'b', text: 'sync', x: 400, y: 20 },
      ],
      { right: 560, px: 13 },
    );
    expect(placed.map((p) => p.y)).toEqual([20, 20]);
  });
});
