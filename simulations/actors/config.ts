/**
 * Actor system config: defaults, limits, strict validation (for `simulate`) and friendly clamping
 * of the lab's own settings (threads, seed) for links and inputs.
 *
 * `validateConfig` throws a `ConfigError` whose message names the field the way the learner
 * wrote it ("actors[2].mailbox.capacity must be a whole number from 1 to 100000, but it is 0.").
 * Functions (`receive`, `init`, watch getters) are checked to be functions and kept as they are.
 */
import {
  ConfigError,
  checkArray,
  checkKnownKeys,
  checkNumber,
  checkObject,
  checkOneOf,
  describeValue,
  type NumberRule,
} from '../core/validate';
import type { ActorSpec, BehaviourSpec, FaultSpec, Injection, MailboxSpec, Overflow, Strategy, SupervisorSpec, Watch } from './types';

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

const CONFIG_KEYS = ['actors', 'sends', 'threads', 'latencyMs', 'guardian', 'untilMs', 'maxMessages', 'watches'] as const;
const BEHAVIOUR_KEYS = ['receive', 'init', 'serviceMs', 'mailbox', 'supervise', 'faults'] as const;
const ACTOR_KEYS = ['name', 'parent', ...BEHAVIOUR_KEYS] as const;

/** Is `name` a usable actor name? Returns an explanation when it is not. */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.trim() === '') return `must be a non-empty piece of text, but it is ${describeValue(name)}`;
  if (name.length > LIMITS.nameLength) return `may have at most ${LIMITS.nameLength} characters, but "${name}" has ${name.length}`;
  if (/^ask#/.test(name)) return `may not start with "ask#" (that names the reply address of an ask), but it is "${name}"`;
  return null;
}

export function checkSupervision(field: string, input: unknown): Supervision {
  if (input === undefined) return { strategy: DEFAULTS.strategy, maxRestarts: DEFAULTS.maxRestarts, withinMs: DEFAULTS.withinMs };
  const obj = checkObject(field, input);
  checkKnownKeys(field, obj, ['strategy', 'maxRestarts', 'withinMs']);
  const s = obj as SupervisorSpec;
  return {
    strategy: s.strategy === undefined ? DEFAULTS.strategy : checkOneOf(`${field}.strategy`, s.strategy, STRATEGIES),
    maxRestarts: s.maxRestarts === undefined ? DEFAULTS.maxRestarts : checkNumber(`${field}.maxRestarts`, s.maxRestarts, LIMITS.maxRestarts),
    withinMs: s.withinMs === undefined ? DEFAULTS.withinMs : checkNumber(`${field}.withinMs`, s.withinMs, LIMITS.withinMs),
  };
}

function checkMailbox(field: string, input: unknown): { capacity: number; overflow: Overflow } {
  if (input === undefined) return { capacity: Infinity, overflow: DEFAULTS.overflow };
  const obj = checkObject(field, input);
  checkKnownKeys(field, obj, ['capacity', 'overflow']);
  const m = obj as MailboxSpec;
  const capacity =
    m.capacity === undefined || m.capacity === Infinity ? Infinity : checkNumber(`${field}.capacity`, m.capacity, LIMITS.capacity);
  const overflow = m.overflow === undefined ? DEFAULTS.overflow : checkOneOf(`${field}.overflow`, m.overflow, OVERFLOWS);
  return { capacity, overflow };
}

function checkFaults(field: string, input: unknown): { every: number; rate: number } {
  if (input === undefined) return { every: 0, rate: 0 };
  const obj = checkObject(field, input);
  checkKnownKeys(field, obj, ['every', 'rate']);
  const f = obj as FaultSpec;
  return {
    every: f.every === undefined ? 0 : checkNumber(`${field}.every`, f.every, LIMITS.faultEvery),
    rate: f.rate === undefined ? 0 : checkNumber(`${field}.rate`, f.rate, LIMITS.faultRate),
  };
}

function checkFunction(field: string, value: unknown, what: string): void {
  if (typeof value !== 'function') throw new ConfigError(field, `${field} must be ${what}, but it is ${describeValue(value)}.`);
}

/** Validates a behaviour spec (an actor, or the argument of `ctx.spawn`). */
export function checkBehaviour(field: string, input: unknown, extraKeys: readonly string[] = []): CheckedBehaviour {
  const obj = checkObject(field, input);
  checkKnownKeys(field, obj, [...BEHAVIOUR_KEYS, ...extraKeys]);
  const b = obj as unknown as BehaviourSpec;
  checkFunction(`${field}.receive`, b.receive, 'a function receive(message, ctx)');
  if (b.init !== undefined) checkFunction(`${field}.init`, b.init, 'a function that returns the initial state');
  const { capacity, overflow } = checkMailbox(`${field}.mailbox`, b.mailbox);
  return {
    receive: b.receive,
    init: b.init,
    serviceMs: b.serviceMs === undefined ? DEFAULTS.serviceMs : checkNumber(`${field}.serviceMs`, b.serviceMs, LIMITS.serviceMs),
    capacity,
    overflow,
    supervise: checkSupervision(`${field}.supervise`, b.supervise),
    faults: checkFaults(`${field}.faults`, b.faults),
  };
}

/**
 * Strictly validates a system config and fills defaults. Throws `ConfigError` naming the field.
 * Actors come back ordered so that every parent precedes its children (the spawn order).
 */
export function validateConfig(input: unknown): CheckedConfig {
  const raw = checkObject('config', input ?? {});
  checkKnownKeys('', raw, CONFIG_KEYS);
  const list = checkArray('actors', raw.actors, 'a list of actors');
  if (list.length === 0) throw new ConfigError('actors', 'actors must list at least one actor, but the list is empty.');
  if (list.length > LIMITS.actors) throw new ConfigError('actors', `actors may list at most ${LIMITS.actors} actors, but it has ${list.length}.`);
  const byName = new Map<string, number>();
  const actors: CheckedActor[] = list.map((item, i) => {
    const where = `actors[${i}]`;
    const obj = checkObject(where, item);
    checkKnownKeys(where, obj, ACTOR_KEYS);
    const spec = obj as unknown as ActorSpec;
    const problem = nameProblem(spec.name);
    if (problem) throw new ConfigError(`${where}.name`, `${where}.name ${problem}.`);
    const seen = byName.get(spec.name);
    if (seen !== undefined) {
      throw new ConfigError(`${where}.name`, `${where}.name is "${spec.name}", but actors[${seen}] already has that name; actor names must be unique.`);
    }
    byName.set(spec.name, i);
    const label = `${where} ("${spec.name}")`;
    const behaviour = checkBehaviour(label, obj, ['name', 'parent']);
    let parent: string | null = null;
    if (spec.parent !== undefined && spec.parent !== null) {
      if (typeof spec.parent !== 'string') throw new ConfigError(`${where}.parent`, `${label}.parent must be an actor's name, but it is ${describeValue(spec.parent)}.`);
      parent = spec.parent;
    }
    return { name: spec.name, parent, ...behaviour };
  });
  actors.forEach((a, i) => {
    if (a.parent === null) return;
    if (!byName.has(a.parent)) throw new ConfigError(`actors[${i}].parent`, `actors[${i}] ("${a.name}") has parent "${a.parent}", but no actor has that name.`);
    if (a.parent === a.name) throw new ConfigError(`actors[${i}].parent`, `actors[${i}] ("${a.name}") cannot supervise itself.`);
  });
  // Order parents before children; a cycle means no actor in it has a root.
  const ordered: CheckedActor[] = [];
  const placed = new Set<string>();
  let progress = true;
  while (ordered.length < actors.length && progress) {
    progress = false;
    for (const a of actors) {
      if (placed.has(a.name)) continue;
      if (a.parent === null || placed.has(a.parent)) {
        ordered.push(a);
        placed.add(a.name);
        progress = true;
      }
    }
  }
  if (ordered.length < actors.length) {
    const stuck = actors.filter((a) => !placed.has(a.name));
    const chain = stuck.map((a) => `"${a.name}" is supervised by "${a.parent}"`).join(', ');
    const first = byName.get(stuck[0].name) as number;
    throw new ConfigError(`actors[${first}].parent`, `actors[${first}].parent: the supervisors form a circle (${chain}), so none of them has a place in the tree.`);
  }

  const sendList = raw.sends === undefined ? [] : checkArray('sends', raw.sends, 'a list of messages to send');
  if (sendList.length > LIMITS.sends) throw new ConfigError('sends', `sends may list at most ${LIMITS.sends} entries, but it has ${sendList.length}.`);
  const sends = sendList.map((item, i) => {
    const where = `sends[${i}]`;
    const obj = checkObject(where, item);
    checkKnownKeys(where, obj, ['to', 'message', 'at', 'count', 'everyMs']);
    const s = obj as unknown as Injection;
    if (typeof s.to !== 'string' || s.to === '') throw new ConfigError(`${where}.to`, `${where}.to must be an actor's name, but it is ${describeValue(s.to)}.`);
    return {
      to: s.to,
      message: s.message,
      at: s.at === undefined ? 0 : checkNumber(`${where}.at`, s.at, LIMITS.sendAt),
      count: s.count === undefined ? 1 : checkNumber(`${where}.count`, s.count, LIMITS.sendCount),
      everyMs: s.everyMs === undefined ? 0 : checkNumber(`${where}.everyMs`, s.everyMs, LIMITS.everyMs),
    };
  });

  const watchList = raw.watches === undefined ? [] : checkArray('watches', raw.watches, 'a list of watches');
  if (watchList.length > LIMITS.watches) throw new ConfigError('watches', `watches may list at most ${LIMITS.watches} values, but it has ${watchList.length}.`);
  const watches = watchList.map((item, i) => {
    const obj = checkObject(`watches[${i}]`, item);
    checkKnownKeys(`watches[${i}]`, obj, ['name', 'get']);
    const w = obj as unknown as Watch;
    if (typeof w.name !== 'string' || w.name.trim() === '' || w.name.length > 40) {
      throw new ConfigError(`watches[${i}].name`, `watches[${i}].name must be a non-empty piece of text of at most 40 characters, but it is ${describeValue(w.name)}.`);
    }
    checkFunction(`watches[${i}].get`, w.get, 'a function that returns the value to show');
    return { name: w.name, get: w.get };
  });

  let threads: number | null = null;
  if (raw.threads !== undefined && raw.threads !== null) threads = checkNumber('threads', raw.threads, LIMITS.threads);

  return {
    actors: ordered,
    sends,
    threads,
    latencyMs: raw.latencyMs === undefined ? DEFAULTS.latencyMs : checkNumber('latencyMs', raw.latencyMs, LIMITS.latencyMs),
    guardian: checkSupervision('guardian', raw.guardian),
    untilMs: raw.untilMs === undefined ? DEFAULTS.untilMs : checkNumber('untilMs', raw.untilMs, LIMITS.untilMs),
    maxMessages: raw.maxMessages === undefined ? DEFAULTS.maxMessages : checkNumber('maxMessages', raw.maxMessages, LIMITS.maxMessages),
    watches,
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
  const whole = (field: keyof LabSettings, min: number, max: number, what: string): number => {
    const v = raw[field];
    const fallback = DEFAULT_SETTINGS[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      notes.push(`${field} was ${describeValue(v)}, which is not a usable number, so the lab uses ${fallback}.`);
      return fallback;
    }
    const out = Math.min(max, Math.max(min, Math.round(v)));
    if (out !== v) notes.push(`${field} was ${v}; the lab allows ${what}, so it uses ${out}.`);
    return out;
  };
  return {
    settings: {
      threads: whole('threads', 0, LIMITS.threads.max, `whole numbers from 0 (as the code says) to ${LIMITS.threads.max}`),
      seed: whole('seed', 0, 2 ** 31 - 1, 'whole numbers from 0 to 2147483647'),
    },
    notes,
  };
}
