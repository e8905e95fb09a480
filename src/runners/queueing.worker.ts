/// <reference lib="webworker" />
/** The queueing lab's Worker: the sweep and the Backoff experiment (see queueingSweepEngine.ts and serveEngine.ts). */
import { runQueueingJob } from './queueingSweepEngine';
import { serveEngine } from './serveEngine';

serveEngine(runQueueingJob);
