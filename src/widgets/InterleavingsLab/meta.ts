import { asyncLevels, threadLevels } from '#sim/interleavings/levels';
import { defineLab } from '../shared/labMeta';

/** An async level's preset id: its level id with `async-` in front (some ids are used by both modes). */
export const asyncPresetId = (levelId: string): string => (levelId.startsWith('async-') ? levelId : `async-${levelId}`);

export default defineLab({
  id: 'interleavings',
  folder: 'InterleavingsLab',
  title: 'Interleavings lab',
  description: 'Play the scheduler: pick which thread runs next until a race or a deadlock shows, then fix the code and let the explorer check every schedule.',
  presets: [
    ...threadLevels.map((l) => ({ id: l.id, title: l.title, description: l.brief })),
    ...asyncLevels.map((l) => ({ id: asyncPresetId(l.id), title: `${l.title} (async)`, description: l.brief })),
  ],
  page: {
    description: 'Play the scheduler in the browser: run threads one operation at a time to find races and deadlocks, then prove a fix by exploring every schedule.',
    lede: 'You are the scheduler. Each thread waits at its next shared operation; you pick which one runs. Find an order that breaks the program (a lost update, a double booking, a deadlock), then change the code and press Explore: the lab runs every possible order in Web Workers, off the page, and shows how many fail.',
    lessons: ['races-and-deadlocks'],
    // Opens on one schedule that passes (A's whole transfer, then B's) to step through; Start over
    // (or a step back and another card) begins the hunt.
    instances: [
      {
        id: 'play',
        preset: 'lock-order',
        props: {
          choices: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1],
          caption: 'Two transfers between accounts a and b, each locking both accounts. Shown: A’s whole transfer, then B’s, which passes. Step back to any point and pick another thread (or press Start over) until they wait for each other forever.',
        },
      },
    ],
  },
});
