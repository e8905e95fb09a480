// The login exercise's data: eight users whose password hashes are computed at start (outside the
// timed run) with the same ctx.cpu.hash the handler uses, so a correct password matches.
import { hash } from '../_runtime/cpu.js';

const USERS = 8;

/** Request i: a login; one in ten uses a wrong password. */
export function makeRequest(_i, rng) {
  const user = `u${rng.int(0, USERS - 1)}`;
  const wrong = rng() < 0.1;
  return { user, password: wrong ? 'guess' : `secret-${user}` };
}

/** ctx.data: { stored: { u0: '<digest>', ... } } */
export function prepare(params) {
  const stored = {};
  for (let u = 0; u < USERS; u++) stored[`u${u}`] = hash(`u${u}:secret-u${u}`, params.cpuRounds);
  return { stored };
}
