import { PRESETS } from '#sim/scheduler/presets';
import { defineLab } from '../shared/labMeta';

export default defineLab({
  id: 'scheduler',
  folder: 'SchedulerLab',
  title: 'Scheduler lab',
  description: 'Tasks of CPU bursts and I/O waits on N cores: time-slicing, parallelism, cooperation, Amdahl’s law.',
  presets: PRESETS.map((p) => ({ id: p.id, title: p.title, description: p.description })),
  page: {
    description: "Tasks made of CPU bursts and I/O waits on N cores: step through a schedule and compare the speedup with Amdahl's law.",
    lede: 'Tasks made of CPU bursts and I/O waits, scheduled on one or more cores. Step through a run, change the settings, and compare the measured speedup with Amdahl’s law.',
    lessons: ['concurrency-vs-parallelism'],
    instances: [
      { id: 'io', preset: 'io-one-core' },
      { id: 'cpu', preset: 'cpu-many-cores' },
      { id: 'hog', preset: 'cooperative-hog' },
    ],
  },
});
