/// <reference lib="webworker" />
/** The actor lab's sandbox Worker: learner code describing an actor system (see serveEngine.ts). */
import { runActorsJob } from './actorsEngine';
import { serveEngine } from './serveEngine';

serveEngine(runActorsJob);
