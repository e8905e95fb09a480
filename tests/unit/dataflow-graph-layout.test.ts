/** The job graph's geometry: task frames around chains, and text fitted to its box. */
import { describe, expect, it } from 'vitest';
import { getPreset, validateConfig } from '#sim/dataflow';
import { fitText, layoutGraph, NODE_W } from '#widgets/DataflowLab/layout';
import { textWidth } from '#widgets/shared/charts/measure';

describe('dataflow graph layout', () => {
  for (const vertical of [false, true]) {
    it(`a chain is framed as one task, around its operators, with no gauge gap between them (${vertical ? 'top to bottom' : 'left to right'})`, () => {
      const chained = layoutGraph(validateConfig(getPreset('chaining').config), vertical);
      const plain = layoutGraph(validateConfig(getPreset('bottleneck').config), vertical);
      expect(chained.frames).toHaveLength(1);
      expect(chained.frames[0].ops).toEqual([0, 1, 2, 3]);
      expect(plain.frames).toHaveLength(0);
      expect(chained.chained).toEqual([true, true, true]);
      const f = chained.frames[0];
      for (const n of chained.nodes) {
        expect(n.x).toBeGreaterThan(f.x);
        expect(n.y).toBeGreaterThan(f.y);
        expect(n.x + n.w).toBeLessThan(f.x + f.w);
        expect(n.y + n.h).toBeLessThan(f.y + f.h);
      }
      // The frame and its caption stay inside the drawing.
      expect(f.x).toBeGreaterThanOrEqual(0);
      expect(f.y).toBeGreaterThanOrEqual(0);
      expect(f.x + f.w).toBeLessThanOrEqual(chained.width);
      expect(f.y + f.h).toBeLessThanOrEqual(chained.height);
      // Without buffers to draw, the chained graph is shorter along the flow.
      const along = (l: typeof plain) => (vertical ? l.height : l.width);
      expect(along(chained)).toBeLessThan(along(plain));
    });
  }

  it('the skew preset chains the source and the key-by only', () => {
    const l = layoutGraph(validateConfig(getPreset('skew').config), false);
    expect(l.frames.map((f) => f.ops)).toEqual([[0, 1]]);
    expect(l.chained).toEqual([true, false, false]);
  });

  it('fitText keeps short text, squeezes text that almost fits, and cuts long text with an ellipsis', () => {
    const room = NODE_W - 20;
    expect(fitText('parse', 14, room, true)).toEqual({ text: 'parse', length: undefined });
    const almost = 'held back 85% · 2,966 waiting';
    const w = textWidth(almost, 11.5);
    const squeezed = fitText(almost, 11.5, w / 1.1);
    expect(squeezed.text).toBe(almost);
    expect(squeezed.length).toBeCloseTo(w / 1.1, 9);
    const long = fitText('a label of twenty-four c', 14, 80, true);
    expect(long.text.endsWith('…')).toBe(true);
    expect(textWidth(long.text, 14) * 1.06).toBeLessThanOrEqual(80 * 1.2 + 1e-9);
    // Whatever is drawn ends up no wider than the room: either it fits or textLength pins it.
    for (const t of ['x', almost, 'source · 1,000,000/s', '600000 ms window · 10000 ms']) {
      const f = fitText(t, 11.5, room);
      expect(f.length === undefined ? textWidth(f.text, 11.5) <= room : f.length <= room).toBe(true);
    }
  });
});

describe('fitFirst', () => {
  it('takes the longest wording that fits whole, so a source’s backlog is never cut', async () => {
    const { fitFirst } = await import('#widgets/DataflowLab/layout');
    const room = NODE_W - 20;
    expect(fitFirst(['held back 100% · 2,966 waiting', 'held 100% · 2,966 waiting', '2,966 waiting'], 11.5, room).text).toBe('held 100% · 2,966 waiting');
    expect(fitFirst(['held back 100% · 2,966,000 waiting', 'held 100% · 2,966,000 waiting', '2,966,000 waiting'], 11.5, room).text).toBe('2,966,000 waiting');
    expect(fitFirst(['busy 5% · blocked 0%', 'blocked 0%'], 11.5, room).text).toBe('busy 5% · blocked 0%');
  });
});
