/// <reference lib="webworker" />
/** The queueing lab's sweep Worker (see queueingSweep.ts and serveEngine.ts). */
import { runSweepJob } from './queueingSweep';
import { serveEngine } from './serveEngine';

serveEngine(runSweepJob);
