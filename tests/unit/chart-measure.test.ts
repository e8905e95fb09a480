import { describe, expect, it } from 'vitest';
import { leftAxisWidth, textWidth, TICK_FONT_PX, TICK_GAP } from '#widgets/shared/charts/measure';

/** Widths (em) of tick labels as Chromium lays them out in the site's UI font (Inter, tabular digits). */
const MEASURED_EM: Record<string, number> = {
  '1,200,000': 5.074,
  '0123456789': 6.482,
  '100%': 2.927,
  '95%': 2.278,
  '1.5 s': 2.362,
  '1,000 ms': 4.533,
  '0.25': 2.214,
  '4.71×': 2.861,
  speedup: 4.122,
};

describe('axis label room', () => {
  it('never estimates a label narrower than the browser draws it, nor far wider', () => {
    for (const [label, em] of Object.entries(MEASURED_EM)) {
      const est = textWidth(label, TICK_FONT_PX) / TICK_FONT_PX;
      expect(est, label).toBeGreaterThanOrEqual(em);
      expect(est, label).toBeLessThan(em * 1.2);
    }
  });
  it('a left axis grows with its widest label, so "1,200,000" fits where "200" did', () => {
    const small = leftAxisWidth(['0', '100', '200']);
    const big = leftAxisWidth(['0', '400,000', '800,000', '1,200,000']);
    expect(big - small).toBeGreaterThan(MEASURED_EM['1,200,000'] * TICK_FONT_PX - 3 * 0.66 * TICK_FONT_PX);
    expect(big).toBeGreaterThanOrEqual(MEASURED_EM['1,200,000'] * TICK_FONT_PX + TICK_GAP);
    expect(leftAxisWidth(['0', '5'], { min: 40 })).toBe(40);
    expect(leftAxisWidth(['100%'], { title: true })).toBeGreaterThan(leftAxisWidth(['100%']));
  });
});
