/// <reference lib="webworker" />
/** The interleavings lab's sandbox Worker: learner thread programs, traced and explored (see serveEngine.ts). */
import { runInterleavingsJob } from './interleavingsEngine';
import { serveEngine } from './serveEngine';

serveEngine(runInterleavingsJob);
