/// <reference lib="webworker" />
/** The dataflow lab's sandbox Worker: the engine with the learner's operator function (see serveEngine.ts). */
import { runDataflowJob } from './dataflowEngine';
import { serveEngine } from './serveEngine';

serveEngine(runDataflowJob);
