/**
 * Actor system config: defaults, limits, strict validation (for `simulate`) and friendly clamping
 * of the lab's own settings (threads, seed) for links and inputs.
 *
 * `validateConfig` throws a `ConfigError` whose message names the field the way the learner
 * wrote it ("actors[2].mailbox.capacity must be a whole number from 1 to 100000, but it is 0.").
 * Functions (`receive`, `init`, watch getters) are checked to be functions and kept as they are.
 */
import * as z from 'zod/mini';
import {
  describeValue,
  explained,
  func,
  listOf,
  nearestAllowed,
  numberIn,
  oneOf,
  parseConfig,
  rangeText,
  settings,
  text,
  type NumberRule,
} from '../core/validate';
import type { Behaviour, BehaviourSpec, Injection, Overflow, Strategy, Watch } from './types';

export const OVERFLOWS: readonly Overflow[] = ['drop-newest', 'drop-oldest', 'block'];
export const STRATEGIES: readonly Strategy[] = ['one-for-one', 'one-for-all'];

export const LIMITS = {
  actors: 2_000,
  nameLength: 24,
  capacity: { min: 1, max: 100_000, integer: true } as NumberRule,
  serviceMs: { min: 0, max: 60_000 } as NumberRule,
  maxRestarts: { min: 0, max: 1_000, integer: true } as NumberRule,
  withinMs: { min: 0, max: 10_000_000, exclusiveMin: true } as NumberRule,
  faultEvery: { min: 1, max: 1_000_000, integer: true } as NumberRule,
  faultRate: { min: 0, max: 1 } as NumberRule,
  threads: { min: 1, max: 64, integer: true } as NumberRule,
  latencyMs: { min: 0, max: 10_000 } as NumberRule,
  untilMs: { min: 0, max: 10_000_000, exclusiveMin: true } as NumberRule,
  maxMessages: { min: 1, max: 10_000_000, integer: true } as NumberRule,
  sendAt: { min: 0, max: 10_000_000 } as NumberRule,
  sendCount: { min: 1, max: 10_000_000, integer: true } as NumberRule,
  everyMs: { min: 0, max: 10_000_000 } as NumberRule,
  /** The lab's seed setting (links and the seed input). */
  seed: { min: 0, max: 2 ** 31 - 1, integer: true } as NumberRule,
  sends: 1_000,
  watches: 20,
} as const;

export const DEFAULTS = {
  serviceMs: 1,
  overflow: 'drop-newest' as Overflow,
  strategy: 'one-for-one' as Strategy,
  maxRestarts: 3,
  withinMs: 1_000,
  latencyMs: 1,
  untilMs: 10_000,
  maxMessages: 2_000_000,
} as const;

/** A supervisor spec with every field filled in. */
export interface Supervision {
  strategy: Strategy;
  maxRestarts: number;
  withinMs: number;
}

/** An actor spec after validation: defaults filled, capacity Infinity when unbounded. */
export interface CheckedBehaviour {
  receive: BehaviourSpec['receive'];
  init: (() => unknown) | undefined;
  serviceMs: number;
  capacity: number;
  overflow: Overflow;
  supervise: Supervision;
  faults: { every: number; rate: number };
}

export interface CheckedActor extends CheckedBehaviour {
  name: string;
  parent: string | null;
}

export interface CheckedConfig {
  actors: CheckedActor[];
  sends: Required<Injection>[];
  threads: number | null;
  latencyMs: number;
  guardian: Supervision;
  untilMs: number;
  maxMessages: number;
  watches: Watch[];
}

/** Is `name` a usable actor name? Returns an explanation when it is not. */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.trim() === '') return `must be a non-empty piece of text, but it is ${describeValue(name)}`;
  if (name.length > LIMITS.nameLength) return `may have at most ${LIMITS.nameLength} characters, but "${name}" has ${name.length}`;
  if (/^ask#/.test(name)) return `may not start with "ask#" (that names the reply address of an ask), but it is "${name}"`;
  return null;
}

// --- Schemas: the source of truth for the config's shape; LIMITS, DEFAULTS and the word lists give the values.

const supervisionSchema = settings({
  strategy: z._default(oneOf(STRATEGIES), DEFAULTS.strategy),
  maxRestarts: z._default(numberIn(LIMITS.maxRestarts), DEFAULTS.maxRestarts),
  withinMs: z._default(numberIn(LIMITS.withinMs), DEFAULTS.withinMs),
});

const mailboxSchema = settings({
  /** Infinity (or leaving it out) means unbounded. */
  capacity: z.optional(explained(z.union([z.literal(Infinity), numberIn(LIMITS.capacity)]), rangeText(LIMITS.capacity))),
  overflow: z._default(oneOf(OVERFLOWS), DEFAULTS.overflow),
});

const faultsSchema = settings({
  every: z._default(numberIn(LIMITS.faultEvery), 0),
  rate: z._default(numberIn(LIMITS.faultRate), 0),
});

const behaviourShape = {
  receive: func<Behaviour>('a function receive(message, ctx)'),
  init: z.optional(func<() => unknown>('a function that returns the initial state')),
  serviceMs: z._default(numberIn(LIMITS.serviceMs), DEFAULTS.serviceMs),
  mailbox: z.optional(mailboxSchema),
  supervise: z.optional(supervisionSchema),
  faults: z.optional(faultsSchema),
};

/** A behaviour spec: an actor without its name and parent, or the argument of `ctx.spawn`. */
export const behaviourSchema = settings(behaviourShape);

const actorName = explained(
  z.custom<string>((v) => nameProblem(v) === null),
  (field, v) => `${field} ${nameProblem(v)}.`,
);
const actorRef = explained(z.string().check(z.minLength(1)), "an actor's name");

const actorSchema = settings({
  name: actorName,
  parent: z.optional(z.nullable(explained(z.string(), "an actor's name"))),
  ...behaviourShape,
});

const sendSchema = settings({
  to: actorRef,
  message: z.unknown(),
  at: z._default(numberIn(LIMITS.sendAt), 0),
  count: z._default(numberIn(LIMITS.sendCount), 1),
  everyMs: z._default(numberIn(LIMITS.everyMs), 0),
});

const watchSchema = settings({
  name: text(40),
  get: func<() => unknown>('a function that returns the value to show'),
});

/** A system config (what `simulate` takes). */
export const configSchema = settings({
  actors: listOf(actorSchema, { what: 'a list of actors', noun: ['actor', 'actors'], min: 1, max: LIMITS.actors }).check(
    z.superRefine((actors, ctx) => {
      const problem = treeProblem(actors);
      if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: actors });
    }),
  ),
  sends: z._default(listOf(sendSchema, { what: 'a list of messages to send', noun: ['entry', 'entries'], max: LIMITS.sends }), []),
  threads: z.optional(z.nullable(numberIn(LIMITS.threads))),
  latencyMs: z._default(numberIn(LIMITS.latencyMs), DEFAULTS.latencyMs),
  guardian: z.optional(supervisionSchema),
  untilMs: z._default(numberIn(LIMITS.untilMs), DEFAULTS.untilMs),
  maxMessages: z._default(numberIn(LIMITS.maxMessages), DEFAULTS.maxMessages),
  watches: z._default(listOf(watchSchema, { what: 'a list of watches', noun: ['value', 'values'], max: LIMITS.watches }), []),
});

/** Shows the actor a field belongs to, as the source lab's messages expect: `actors[2] ("b").mailbox.capacity`. */
function actorLabel(field: string, path: readonly PropertyKey[], input: unknown): string {
  if (path[0] !== 'actors' || typeof path[1] !== 'number' || path.length < 3 || path[2] === 'name') return field;
  const name = ((input as { actors: unknown[] }).actors[path[1]] as { name?: unknown }).name;
  if (typeof name !== 'string') return field;
  const head = `actors[${path[1]}]`;
  return `${head} ("${name}")${field.slice(head.length)}`;
}

/** Duplicate names, unknown parents, and supervision circles, with the field to blame (relative to `actors`). */
function treeProblem(actors: readonly { name: string; parent?: string | null }[]): { path: PropertyKey[]; message: string } | null {
  const byName = new Map<string, number>();
  for (let i = 0; i < actors.length; i++) {
    const seen = byName.get(actors[i].name);
    if (seen !== undefined) {
      return { path: [i, 'name'], message: `actors[${i}].name is "${actors[i].name}", but actors[${seen}] already has that name; actor names must be unique.` };
    }
    byName.set(actors[i].name, i);
  }
  for (let i = 0; i < actors.length; i++) {
    const { name, parent } = actors[i];
    if (parent === undefined || parent === null) continue;
    if (!byName.has(parent)) return { path: [i, 'parent'], message: `actors[${i}] ("${name}") has parent "${parent}", but no actor has that name.` };
    if (parent === name) return { path: [i, 'parent'], message: `actors[${i}] ("${name}") cannot supervise itself.` };
  }
  // Every actor must reach a root by following parents; the ones that cannot sit on a circle or hang off one.
  const rooted = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const a of actors) {
      if (!rooted.has(a.name) && (a.parent == null || rooted.has(a.parent))) {
        rooted.add(a.name);
        progress = true;
      }
    }
  }
  const stuck = actors.filter((a) => !rooted.has(a.name));
  if (stuck.length === 0) return null;
  const chain = stuck.map((a) => `"${a.name}" is supervised by "${a.parent}"`).join(', ');
  const first = byName.get(stuck[0].name) as number;
  return { path: [first, 'parent'], message: `actors[${first}].parent: the supervisors form a circle (${chain}), so none of them has a place in the tree.` };
}

type ParsedBehaviour = z.output<typeof behaviourSchema>;

function toChecked(b: ParsedBehaviour): CheckedBehaviour {
  return {
    receive: b.receive,
    init: b.init,
    serviceMs: b.serviceMs,
    capacity: b.mailbox?.capacity ?? Infinity,
    overflow: b.mailbox?.overflow ?? DEFAULTS.overflow,
    supervise: b.supervise ?? defaultSupervision(),
    faults: b.faults ?? { every: 0, rate: 0 },
  };
}

function defaultSupervision(): Supervision {
  return { strategy: DEFAULTS.strategy, maxRestarts: DEFAULTS.maxRestarts, withinMs: DEFAULTS.withinMs };
}

/** Validates a behaviour spec (the argument of `ctx.spawn`, named `field` in messages: "spawn spec.receive must be …"). */
export function checkBehaviour(field: string, input: unknown): CheckedBehaviour {
  return toChecked(parseConfig(behaviourSchema, input, { where: field }));
}

/**
 * Strictly validates a system config and fills defaults. Throws `ConfigError` naming the field.
 * Actors come back ordered so that every parent precedes its children (the spawn order).
 */
export function validateConfig(input: unknown): CheckedConfig {
  const raw = parseConfig(configSchema, input ?? {}, { label: actorLabel });
  const actors: CheckedActor[] = raw.actors.map((a) => ({ name: a.name, parent: a.parent ?? null, ...toChecked(a) }));
  // Order parents before children (treeProblem has ruled out circles, so this places everyone).
  const ordered: CheckedActor[] = [];
  const placed = new Set<string>();
  while (ordered.length < actors.length) {
    for (const a of actors) {
      if (!placed.has(a.name) && (a.parent === null || placed.has(a.parent))) {
        ordered.push(a);
        placed.add(a.name);
      }
    }
  }
  return {
    actors: ordered,
    sends: raw.sends.map((s) => ({ to: s.to, message: s.message, at: s.at, count: s.count, everyMs: s.everyMs })),
    threads: raw.threads ?? null,
    latencyMs: raw.latencyMs,
    guardian: raw.guardian ?? defaultSupervision(),
    untilMs: raw.untilMs,
    maxMessages: raw.maxMessages,
    watches: raw.watches.map((w) => ({ name: w.name, get: w.get })),
  };
}

/** The lab's own settings, carried by links: they override what the code says. */
export interface LabSettings {
  /** 0 = what the code says (unlimited unless it sets `threads`); 1..64 = that many threads. */
  threads: number;
  seed: number;
}

export const DEFAULT_SETTINGS: Readonly<LabSettings> = Object.freeze({ threads: 0, seed: 1 });

/**
 * Friendly path for links and inputs: pulls numbers into range (rounding where needed), explains
 * each change in a sentence, and fills defaults.
 */
export function clampSettings(input: Partial<LabSettings> | Record<string, unknown> | null | undefined): { settings: LabSettings; notes: string[] } {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const notes: string[] = [];
  const whole = (field: keyof LabSettings, rule: NumberRule, what: string): number => {
    const v = raw[field];
    const fallback = DEFAULT_SETTINGS[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      notes.push(`${field} was ${describeValue(v)}, which is not a usable number, so the lab uses ${fallback}.`);
      return fallback;
    }
    const out = nearestAllowed(v, rule);
    if (out !== v) notes.push(`${field} was ${v}; the lab allows ${what}, so it uses ${out}.`);
    return out;
  };
  // threads: the config's range, plus 0 for "as the code says".
  const threads: NumberRule = { ...LIMITS.threads, min: 0 };
  return {
    settings: {
      threads: whole('threads', threads, `whole numbers from 0 (as the code says) to ${threads.max}`),
      seed: whole('seed', LIMITS.seed, `whole numbers from ${LIMITS.seed.min} to ${LIMITS.seed.max}`),
    },
    notes,
  };
}
