import { describe, expect, it } from 'vitest';
import { LineSplitter, parseLine, parseOutput } from './results';
import type { RunEvent } from './runner';

const collect = async (chunks: string[]) => {
  const out: RunEvent[] = [];
  for await (const e of parseOutput(chunks, 'webcontainer')) out.push(e);
  return out;
};

const request = '{"i":0,"start":0,"end":21.5,"latency":21.5,"ok":true}';
const failed = '{"i":1,"start":1,"end":3,"latency":2,"ok":false,"error":"TypeError: x is not a function"}';
const summary = '{"summary":{"exercise":"io-db","variant":"async","runtime":"node v20.0.0","throughput":812.3}}';

describe('parseLine', () => {
  it('types request, summary and fatal lines and labels them with the runner', () => {
    expect(parseLine(request, 'worker')).toEqual({ type: 'request', runner: 'worker', i: 0, start: 0, end: 21.5, latency: 21.5, ok: true });
    expect(parseLine(failed, 'worker')).toMatchObject({ type: 'request', ok: false, error: 'TypeError: x is not a function' });
    expect(parseLine(summary, 'webcontainer')).toEqual({
      type: 'summary',
      runner: 'webcontainer',
      exercise: 'io-db',
      variant: 'async',
      runtime: 'node v20.0.0',
      throughput: 812.3,
    });
    expect(parseLine('{"fatal":{"message":"--clients must be a number","usage":true}}', 'worker')).toEqual({
      type: 'error',
      runner: 'worker',
      message: '--clients must be a number',
      usage: true,
    });
  });

  it('keeps anything else as a line: text, broken JSON, JSON of another shape', () => {
    for (const text of ['hello from the handler', '{"i":0,"start"', '[1,2]', '{"x":1}', '42', 'usage error: --variant is required']) {
      expect(parseLine(text, 'worker')).toEqual({ type: 'line', runner: 'worker', text });
    }
  });

  it('drops blank lines, carriage returns and terminal escapes', () => {
    expect(parseLine('', 'worker')).toBeNull();
    expect(parseLine('  \r', 'worker')).toBeNull();
    expect(parseLine(request + '\r', 'worker')).toMatchObject({ type: 'request', i: 0 });
    expect(parseLine('\x1b[32m' + request + '\x1b[0m', 'worker')).toMatchObject({ type: 'request', i: 0 });
  });
});

describe('LineSplitter', () => {
  it('keeps an unfinished line until the rest arrives, and flushes it at the end', () => {
    const s = new LineSplitter();
    expect(s.push('ab')).toEqual([]);
    expect(s.push('c\nde')).toEqual(['abc']);
    expect(s.push('\n\nf')).toEqual(['de', '']);
    expect(s.flush()).toEqual(['f']);
    expect(s.flush()).toEqual([]);
  });
});

describe('parseOutput', () => {
  it('reassembles lines split anywhere, including inside a JSON object and between \\r and \\n', async () => {
    const text = `${request}\r\n${failed}\r\n${summary}\r\n`;
    for (let cut = 1; cut < text.length; cut += 7) {
      const events = await collect([text.slice(0, cut), text.slice(cut)]);
      expect(events.map((e) => e.type)).toEqual(['request', 'request', 'summary']);
    }
    // one character at a time
    const events = await collect([...text]);
    expect(events.map((e) => e.type)).toEqual(['request', 'request', 'summary']);
  });

  it('turns garbage between JSON lines into line events without losing the JSON', async () => {
    const events = await collect(['boom\x00\x01 not json\n{{{\n', request, '\nconsole says hi\n', summary]);
    expect(events.map((e) => e.type)).toEqual(['line', 'line', 'request', 'line', 'summary']);
    expect(events[3]).toMatchObject({ text: 'console says hi' });
  });

  it('parses a final line that has no newline', async () => {
    const events = await collect([request + '\n' + summary]);
    expect(events.at(-1)).toMatchObject({ type: 'summary', exercise: 'io-db' });
  });

  it('gives nothing for empty output', async () => {
    expect(await collect([])).toEqual([]);
    expect(await collect(['', '\n', '\r\n'])).toEqual([]);
  });
});
