#!/usr/bin/env node
// `npm test`: unit tests, type checks, the build, end-to-end tests, in that order, stopping at the
// first failure. Prints how long each phase took, so a slow suite says where the time went.
import { spawnSync } from 'node:child_process';

const phases = [
  ['unit tests (vitest)', 'test:unit'],
  ['astro check', 'check'],
  ['build', 'build'],
  ['end-to-end (playwright)', 'test:e2e'],
];

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const times = [];
const start = performance.now();
for (const [label, script] of phases) {
  const t0 = performance.now();
  const r = spawnSync(npm, ['run', '--silent', script], { stdio: 'inherit' });
  const s = (performance.now() - t0) / 1000;
  times.push(`${label} ${s.toFixed(0)} s`);
  console.log(`\ntest: ${label} took ${s.toFixed(1)} s`);
  if (r.status !== 0) {
    console.error(`test: ${label} failed (exit ${r.status ?? r.signal}); phases run: ${times.join(', ')}`);
    process.exit(r.status ?? 1);
  }
}
console.log(`test: all phases passed in ${((performance.now() - start) / 1000).toFixed(0)} s (${times.join(', ')})`);
