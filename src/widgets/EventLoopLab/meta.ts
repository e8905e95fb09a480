import { EXAMPLES } from '#sim/eventloop/examples';
import { defineLab } from '../shared/labMeta';

export default defineLab({
  id: 'event-loop',
  folder: 'EventLoopLab',
  title: 'Event-loop lab',
  description: 'Your own JavaScript on a modelled event loop: call stack, timers, task queue, microtask queue and console, step by step.',
  presets: EXAMPLES.map((e) => ({ id: e.id, title: e.title, description: e.point })),
  page: {
    description: 'Run your own JavaScript on a modelled event loop and step through it: call stack, timers, task queue, microtask queue and console.',
    lede: 'Write a program, run it, and step through what the event loop does with it: the call stack, the timers waiting in the Web APIs, the task queue, the microtask queue and the console, one event at a time. Switch the event loop to Node to see Node 24’s instead: process.nextTick, setImmediate, fs.readFile and the libuv phases. Your code runs on a model of the loop in a Web Worker, so it cannot freeze this page.',
    lessons: ['the-event-loop', 'callbacks-promises-async-await', 'structured-concurrency'],
    instances: [
      { id: 'loop', preset: 'microtasks-before-timers' },
      { id: 'ticks', preset: 'await-ticks' },
    ],
  },
});
