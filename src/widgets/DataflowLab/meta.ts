import { PRESETS } from '#sim/dataflow/presets';
import { defineLab } from '../shared/labMeta';

export default defineLab({
  id: 'dataflow',
  folder: 'DataflowLab',
  title: 'Dataflow lab',
  description: 'A job graph of operators on bounded channels: the slowest stage sets the pace, backpressure reaches the source, hot keys defeat parallelism.',
  presets: PRESETS.map((p) => ({ id: p.id, title: p.title, description: p.description })),
  page: {
    description: 'A job graph of operators joined by bounded buffers: find the bottleneck, watch backpressure reach the source, and see why hot keys defeat parallelism.',
    lede: 'A job graph of operators joined by bounded buffers, as in Flink or Beam. Change how many instances each operator runs and how long it takes per record, and watch where the bottleneck goes, how backpressure reaches the source, and why more instances do not help with hot keys.',
    lessons: ['dataflow'],
    instances: [
      { id: 'bottleneck', preset: 'bottleneck' },
      { id: 'skew', preset: 'skew' },
      { id: 'burst', preset: 'burst' },
      { id: 'operator', preset: 'operator' },
    ],
  },
});
