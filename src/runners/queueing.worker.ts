/// <reference lib="webworker" />
/** The queueing lab's sweep Worker (see queueingSweepEngine.ts and serveEngine.ts). */
import { runSweepJob } from './queueingSweepEngine';
import { serveEngine } from './serveEngine';

serveEngine(runSweepJob);
