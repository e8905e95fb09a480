/**
 * The lab's Explore button: every schedule of the code in the editor, explored by the engine in
 * its own Worker, and a large async search in parts over a few more
 * (interleavingsRunner.exploreSchedules), with progress and Stop. Stop terminates the Workers:
 * what was counted until then stays on screen, marked as partial.
 */
import { exploreSchedules, type HostedExplore } from '#runners/interleavingsRunner';
import type { ExploreProgressInfo, Mode } from '#runners/interleavingsEngine';

export class Exploration {
  running = $state(false);
  progress = $state.raw<ExploreProgressInfo | null>(null);
  result = $state.raw<HostedExplore | null>(null);
  /** Set after Stop: the counts reached before it. */
  stopped = $state.raw<ExploreProgressInfo | null>(null);
  /** The job the result (or the run in flight) is for. */
  job = $state.raw<{ mode: Mode; level: string; source: string } | null>(null);
  #controller: AbortController | null = null;

  async start(job: { mode: Mode; level: string; source: string }): Promise<HostedExplore | null> {
    this.#controller?.abort();
    const ac = new AbortController();
    this.#controller = ac;
    this.running = true;
    this.progress = null;
    this.stopped = null;
    this.result = null;
    this.job = job;
    try {
      const run = await exploreSchedules(job, ac.signal, (p) => {
        if (this.#controller === ac) this.progress = p;
      });
      if (this.#controller !== ac) return null;
      this.result = run;
      return run;
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return null;
      throw error;
    } finally {
      if (this.#controller === ac) {
        this.#controller = null;
        this.running = false;
      }
    }
  }

  stop(): void {
    const ac = this.#controller;
    if (!ac) return;
    this.stopped = this.progress ?? { schedules: 0, failing: 0, deadlocks: 0, fraction: 0 };
    this.#controller = null;
    this.running = false;
    ac.abort();
  }

  /** Forgets the result (another level). */
  clear(): void {
    this.#controller?.abort();
    this.#controller = null;
    this.running = false;
    this.result = null;
    this.stopped = null;
    this.progress = null;
    this.job = null;
  }
}
