/// <reference lib="webworker" />
/** The event-loop lab's sandbox Worker: learner code on the modelled event loop (see serveEngine.ts). */
import { runEventLoopJob } from './eventloopEngine';
import { serveEngine } from './serveEngine';

serveEngine(runEventLoopJob);
