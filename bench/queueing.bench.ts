/**
 * `npm run bench -- queueing`: the M/M/3 model of ../shared/bench/simpy_mmc.py (λ = 2.5, μ = 1 per
 * time unit; here 2,500 requests/s into 3 servers of 1 ms mean exponential service), in this
 * engine and in SimPy (Debian's python3-simpy, SimPy 2.3), same number of requests.
 *
 * Figures: our wall time for 1,000,000 requests (median of 3, trace capped at the default 100,000
 * events as the lab runs it; budget 1 s), the same in a worker thread, SimPy's wall and CPU time
 * for 200,000 requests (scaled per request), and the ratio of requests per second (the issue asks
 * ≥ 10×, aims at 20×). The machine is shared, so CPU time is printed beside wall time; the bench
 * never fails on timing. SimPy missing: its figures are skipped with a note.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { simulate, mmc, type QueueingConfig } from '#sim/queueing';

interface Figure {
  name: string;
  value: number;
  unit: string;
  budget?: number;
  note?: string;
}

const N = 1_000_000;
const SIMPY_N = 200_000;
export const MMC: QueueingConfig = {
  clients: { kind: 'open', arrival: 'poisson', rate: 2500 },
  service: { servers: 3, time: { dist: 'exponential', mean: 1 } },
  requests: N,
};

function ours(): { wall: number; cpu: number; W: number; events: number; all: number[] } {
  const runs: { wall: number; cpu: number; W: number; events: number }[] = [];
  for (let k = 0; k < 3; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = simulate(MMC, k + 1);
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    runs.push({ wall, cpu: (c.user + c.system) / 1000, W: r.metrics.meanResponse, events: r.metrics.events });
  }
  const sorted = [...runs].sort((a, b) => a.wall - b.wall);
  return { ...sorted[1], all: runs.map((r) => r.wall) };
}

// In a worker, this same bundled file runs the model once and reports the time inside the worker.
if (!isMainThread && (workerData as { queueingBench?: boolean } | null)?.queueingBench) {
  const t0 = performance.now();
  const r = simulate(MMC, 1);
  parentPort?.postMessage({ ms: performance.now() - t0, completed: r.metrics.completed });
}

function inWorker(): Promise<number> {
  return new Promise((ok, fail) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { queueingBench: true } });
    w.once('message', (m: { ms: number }) => {
      ok(m.ms);
      void w.terminate();
    });
    w.once('error', fail);
  });
}

function simpy(): { wall: number; cpu: number; W: number } | string {
  const script = resolve('../shared/bench/simpy_mmc.py');
  const alt = '/work/shared/bench/simpy_mmc.py';
  const path = existsSync(script) ? script : alt;
  if (!existsSync(path)) return 'simpy_mmc.py not found';
  const wrapper = `import runpy, sys, time
sys.argv = [${JSON.stringify(path)}, '${SIMPY_N}', '3', '2.5', '1.0', '1']
c = time.process_time()
runpy.run_path(sys.argv[0], run_name='__main__')
print('cpu_s', time.process_time() - c)`;
  const out = spawnSync('/usr/bin/python3', ['-c', wrapper], { encoding: 'utf8' });
  if (out.status !== 0) return `SimPy did not run (${(out.stderr || '').trim().split('\n').pop()}); apt-get install python3-simpy`;
  const wall = Number(/wall_s ([\d.]+)/.exec(out.stdout)?.[1]);
  const cpu = Number(/cpu_s ([\d.]+)/.exec(out.stdout)?.[1]);
  const W = Number(/mean_W ([\d.]+)/.exec(out.stdout)?.[1]);
  return { wall: wall * 1000, cpu: cpu * 1000, W };
}

export async function run(): Promise<Figure[]> {
  const theory = mmc(3, 2.5, 1).W; // per ms: λ = 2.5, S = 1 ms
  const o = ours();
  const figures: Figure[] = [
    {
      name: 'queueing: 1,000,000 M/M/3 requests (main thread)',
      value: o.wall,
      unit: 'ms',
      budget: 1000,
      note: `median of 3 (${o.all.map(Math.round).join(', ')} ms); CPU ${Math.round(o.cpu)} ms; ${(o.events / (o.wall / 1000) / 1e6).toFixed(2)} M agenda events/s; W ${o.W.toFixed(4)} vs Erlang C ${theory.toFixed(4)}`,
    },
  ];
  try {
    const wms = await inWorker();
    figures.push({ name: 'queueing: 1,000,000 M/M/3 requests in a Worker', value: wms, unit: 'ms', budget: 1000, note: 'worker_threads, time inside the worker' });
  } catch (e) {
    figures.push({ name: 'queueing: Worker run', value: NaN, unit: 'ms', note: `failed: ${(e as Error).message}` });
  }
  const ourRate = N / (o.wall / 1000);
  figures.push({ name: 'queueing: requests simulated per second (ours)', value: ourRate, unit: 'requests/s', note: `CPU-time rate ${Math.round(N / (o.cpu / 1000)).toLocaleString('en')}/s` });
  const s = simpy();
  if (typeof s === 'string') {
    figures.push({ name: 'queueing: SimPy comparison', value: NaN, unit: '', note: s });
    return figures;
  }
  const simpyRate = SIMPY_N / (s.wall / 1000);
  figures.push({ name: 'queueing: requests simulated per second (SimPy 2.3)', value: simpyRate, unit: 'requests/s', note: `${SIMPY_N.toLocaleString('en')} requests in ${Math.round(s.wall)} ms wall, ${Math.round(s.cpu)} ms CPU; W ${s.W.toFixed(4)}` });
  figures.push({
    name: 'queueing: speed-up over SimPy (wall)',
    value: ourRate / simpyRate,
    unit: '×',
    note: `CPU-time ratio ${((N / o.cpu) / (SIMPY_N / s.cpu)).toFixed(1)}×; target ≥ 10×, aim 20×`,
  });
  return figures;
}
