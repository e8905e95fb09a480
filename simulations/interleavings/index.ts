/**
 * Interleavings engine (issue 14): a generic explorer of scheduler choices (explore.ts), threads
 * mode (threads.ts) and its levels (levels.ts). The async mode plugs into the same `System`
 * interface.
 */
export * from './explore';
export * from './threads';
export * from './levels';
export * from './async';
