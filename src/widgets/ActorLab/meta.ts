import { PRESETS } from '#sim/actors/presets';
import { defineLab } from '../shared/labMeta';

export default defineLab({
  id: 'actors',
  folder: 'ActorLab',
  title: 'Actor lab',
  description: 'Actors that own their state, mailboxes, supervisors that restart crashed actors, bounded mailboxes and backpressure, from your own JavaScript.',
  presets: PRESETS,
  page: {
    description: 'Build and break an actor system in the browser: mailboxes, messages, supervisors that restart crashed actors, bounded mailboxes and backpressure, step by step.',
    lede: 'Actors own their state and change it only when they handle a message, one at a time. Write a system in JavaScript, run it, and step through it: messages travelling between actors, mailboxes filling up, crashes and the restarts their supervisors order. Your code runs in a Web Worker, so it cannot freeze this page.',
    lessons: ['actors'],
    instances: [
      { id: 'system', preset: 'lost-updates' },
      { id: 'crash', preset: 'supervisor', props: { view: 'supervision' } },
    ],
  },
});
