/**
 * Test support (not shipped): a stand-in for a sandbox Worker that records what it is sent and
 * terminations; the test answers for it. Used by the EngineHost and runner tests.
 */
import type { EngineRequest, EngineResponse } from './engineHost';

export class FakeWorker<Job = unknown, Run = unknown> extends EventTarget {
  static made: FakeWorker<any, any>[] = [];
  posted: EngineRequest<Job>[] = [];
  terminated = false;
  constructor() {
    super();
    FakeWorker.made.push(this);
  }
  postMessage(message: EngineRequest<Job>) {
    // as a real Worker: the message is a structured clone
    this.posted.push(structuredClone(message));
  }
  terminate() {
    this.terminated = true;
  }
  reply(message: EngineResponse<Run>) {
    this.dispatchEvent(new MessageEvent('message', { data: message }));
  }
  /** The Worker's script failed (to load, or with an uncaught error). */
  fail(message: string) {
    this.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message }));
  }
  /** Answers the last job it was sent: `start`, then `done` with `run`. */
  finish(run: Run, ms = 1) {
    const { id } = this.posted.at(-1)!;
    this.reply({ type: 'start', id });
    this.reply({ type: 'done', id, run, ms });
  }
  static reset() {
    FakeWorker.made = [];
  }
  static create<Job, Run>(): () => Worker {
    return () => new FakeWorker<Job, Run>() as unknown as Worker;
  }
}

export const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));
