import { describe, expect, it } from 'vitest';
import { durationAxisFormat, formatBytes, formatCount, formatDuration, formatMs, formatNumber, formatPercent, formatRate, formatRatio } from '#sim/core/format';
import { formatMs as actorsMs } from '#sim/actors';
import { formatMs as eventloopMs } from '#sim/eventloop';
import { formatMs as schedulerMs } from '#sim/scheduler';
import { formatCount as dataflowCount, formatRate as dataflowRate, formatTime as dataflowTime } from '#sim/dataflow';

describe('formatMs', () => {
  it('keeps up to 2 decimals, drops trailing zeros and groups thousands', () => {
    expect([0, 12, 2.5, 1.234, 27.38, 1000.04, 0.005, 1250, 1234.567, 10.01].map(formatMs)).toEqual([
      '0',
      '12',
      '2.5',
      '1.23',
      '27.38',
      '1,000.04',
      '0.01',
      '1,250',
      '1,234.57',
      '10.01',
    ]);
  });
  it('tells apart virtual times 0.01 ms apart (the event loop clock step)', () => {
    const times = [10, 10.01, 10.02, 100.03, 1500.01];
    expect(new Set(times.map(formatMs)).size).toBe(times.length);
  });
  it('writes no value as a dash, infinity as ∞, negatives with a hyphen, and never "-0"', () => {
    expect([NaN, null, undefined, Infinity, -Infinity, -2.5, -0.001].map(formatMs)).toEqual(['—', '—', '—', '∞', '-∞', '-2.5', '0']);
  });
  it('is the one every engine exports', () => {
    for (const f of [actorsMs, eventloopMs, schedulerMs]) expect(f).toBe(formatMs);
  });
});

describe('formatDuration', () => {
  it('reads ms below a second and seconds above, at about 3 significant digits', () => {
    expect([0, 4.53, 9.96, 12.4, 340, 999.4, 999.6, 1250, 1200, 1000, 65432].map(formatDuration)).toEqual([
      '0 ms',
      '4.5 ms',
      '10 ms',
      '12 ms',
      '340 ms',
      '999 ms',
      '1 s',
      '1.25 s',
      '1.2 s',
      '1 s',
      '65.43 s',
    ]);
    expect(formatDuration(NaN)).toBe('—');
  });
  it('is the dataflow lab\'s time format', () => {
    expect(dataflowTime).toBe(formatDuration);
  });
});

describe('counts, rates, ratios, percentages, bytes', () => {
  it('counts are whole with separators', () => {
    expect([0, 7, 1250, 1_200_000, 2.6].map(formatCount)).toEqual(['0', '7', '1,250', '1,200,000', '3']);
    expect(dataflowCount(1250)).toBe('1,250');
  });
  it('rates are whole from 100, with up to 1 decimal below', () => {
    expect([0.4, 2.5, 5, 24.56, 99.94, 99.96, 1234.5].map(formatRate)).toEqual(['0.4', '2.5', '5', '24.6', '99.9', '100', '1,235']);
    expect(dataflowRate(0.4)).toBe('0.4/s');
    expect(dataflowRate(1250)).toBe('1,250/s');
  });
  it('ratios read "N×": 2 decimals below 10, whole from 10', () => {
    expect([1, 1.874, 4.5, 9.994, 9.996, 12.4, 123.6].map(formatRatio)).toEqual(['1×', '1.87×', '4.5×', '9.99×', '10×', '12×', '124×']);
  });
  it('percentages from shares', () => {
    expect(formatPercent(0.955)).toBe('96%');
    expect(formatPercent(0.125, 1)).toBe('12.5%');
    expect(formatPercent(1)).toBe('100%');
  });
  it('other numbers keep 6 significant digits with separators (axis ticks)', () => {
    expect([1_200_000, 0.25, 0.1 + 0.2, 5, 1e-3, 123456789].map(formatNumber)).toEqual(['1,200,000', '0.25', '0.3', '5', '0.001', '123,457,000']);
  });
  it('bytes in binary units', () => {
    expect([512, 1536, 12 * 1024 * 1024, 1023.96].map(formatBytes)).toEqual(['512 B', '1.5 KiB', '12 MiB', '1 KiB']);
  });
  it('a time axis uses one unit for all its ticks', () => {
    expect([0, 500, 1000, 1500].map(durationAxisFormat(1500))).toEqual(['0 s', '0.5 s', '1 s', '1.5 s']);
    expect([0, 200, 400].map(durationAxisFormat(400))).toEqual(['0 ms', '200 ms', '400 ms']);
    expect([0, 1000].map(durationAxisFormat(1000, 2000))).toEqual(['0 ms', '1,000 ms']);
  });
});
