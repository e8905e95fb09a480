import { defineLab } from '../shared/labMeta';
import { PRESETS } from './lab';

export default defineLab({
  id: 'queueing',
  folder: 'QueueingLab',
  title: 'Queueing lab',
  description: 'Clients, a queue and servers: the knee of the latency curve, pooling, shedding, LIFO, adaptive concurrency limits, retry storms that outlive their trigger, and what retries, budgets, breakers and idempotency keys do when things fail.',
  presets: PRESETS.map((p) => ({ id: p.id, title: p.title, description: p.description })),
  page: {
    description: 'Queueing under load: watch latency bend at the knee, compare closed forms with the simulation, shed load, let AIMD and Gradient2 find a limit, and sweep load × trigger for retry storms.',
    lede: 'Clients send requests to servers behind one queue. Change the load, the servers, the queue, timeouts and retries, a concurrency limiter and a fault, and watch goodput, queue length and latency over time, a sample of requests, and the limiter against Little’s law. The sweep runs the system at many loads and trigger lengths to find where a retry storm stays stuck. The Failures view shows the breaker’s state, how many attempts each call made, the retry budget and duplicate charges; the Backoff experiment repeats Brooker’s test of backoff and jitter.',
    lessons: ['when-things-fail', 'backpressure-and-adaptive-concurrency'],
    instances: [
      { id: 'queue', preset: 'knee-80' },
      { id: 'storm', preset: 'storm-stuck' },
    ],
  },
});
