/**
 * Short labels for queued jobs, derived from trace fields (the engine records fields, not
 * sentences, so tracing stays cheap; views and narration build the text when they need it).
 */
import type { EventLoopEvent } from './types';

export type MicrotaskEnqueueEvent = Extract<EventLoopEvent, { kind: 'microtask-enqueue' }>;

/** "then handler log: promise #3 fulfilled → #4", "resume f after await (promise #2 fulfilled)"... */
export function jobLabel(e: MicrotaskEnqueueEvent): string {
  const state = e.handler === 'reject' ? 'rejected' : 'fulfilled';
  const arrow = e.target !== undefined ? ` → #${e.target}` : '';
  switch (e.source) {
    case 'await':
      return `resume ${e.fn} after await (promise #${e.promise} ${state})`;
    case 'thenable':
      return e.thenable !== undefined
        ? `thenable job: promise #${e.promise} adopts promise #${e.thenable}`
        : `thenable job: call then() of a thenable to resolve promise #${e.promise}`;
    case 'queueMicrotask':
      return `queueMicrotask callback ${e.fn}`;
    default:
      if (e.via === 'async-generator') return `async generator ${e.fn}: finish return() (promise #${e.promise} ${state})`;
      if (e.fn === undefined) return `pass-through: promise #${e.promise} ${state}${arrow}`;
      return `${e.via} handler ${e.fn}: promise #${e.promise} ${state}${arrow}`;
  }
}
