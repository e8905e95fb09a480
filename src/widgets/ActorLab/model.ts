/**
 * The actor lab's model: an actor system in JavaScript (a preset's or the learner's), a thread
 * count and a seed, run on the actor engine in the sandbox Worker, folded and narrated by the
 * engine. The lab root (ActorLab.svelte) only lays out views of it.
 */
import { param } from '#lib/permalink';
import { actorsFold, type ActorsState } from '#sim/actors/fold';
import { narrate as narrateStep } from '#sim/actors/narrate';
import { clampSettings } from '#sim/actors/config';
import { getPreset, PRESETS } from '#sim/actors/presets';
import { runActors, type HostedActorRun } from '#runners/actorsRunner';
import type { LabModel } from '../shared/labModel';
import { MAX_CODE, VIEWS, type ViewName } from './lab';

export interface ActorSettings {
  /** The preset the code came from (undefined: a lesson's own code). */
  preset: string | undefined;
  code: string;
  /** Threads for the whole system; 0 keeps what the code says. */
  threads: number;
  seed: number;
  view: ViewName;
}

export const EMPTY_STATE: ActorsState = {
  step: 0,
  t: 0,
  actors: [],
  inFlight: [],
  ledger: { sent: 0, processed: 0, crashed: 0, processing: 0, queued: 0, inFlight: 0, held: 0, dropped: 0, dead: 0 },
  deadLetters: [],
  watches: [],
  logCount: 0,
  systemStopped: false,
};

export function presetSettings(id: string, view: ViewName = 'messages'): ActorSettings {
  const p = getPreset(id);
  return { preset: p.id, code: p.source, threads: 0, seed: p.seed, view };
}

export const actorModel: LabModel<ActorSettings, HostedActorRun, ActorsState> = {
  id: 'actors',
  noun: 'system',
  presets: PRESETS,
  preset: (id) => presetSettings(id),
  url: {
    schema: {
      preset: param.oneOf(PRESETS.map((p) => p.id)),
      code: param.text(4 * MAX_CODE),
      threads: param.int(),
      seed: param.int(),
      view: param.oneOf(VIEWS),
    },
    encode: (s, base) => ({
      preset: s.preset,
      code: s.code !== base.code ? s.code : undefined,
      threads: s.threads || undefined,
      seed: s.seed !== base.seed ? s.seed : undefined,
      view: s.view !== base.view ? s.view : undefined,
    }),
    decode: (f, base) => ({
      preset: (f.preset as string | undefined) ?? base.preset,
      code: (f.code as string | undefined) ?? base.code,
      threads: (f.threads as number | undefined) ?? 0,
      seed: (f.seed as number | undefined) ?? base.seed,
      view: (f.view as ViewName | undefined) ?? base.view,
    }),
    packed: { code: MAX_CODE },
  },
  clamp(s) {
    const { settings, notes } = clampSettings({ threads: s.threads, seed: s.seed });
    return { settings: { ...s, ...settings }, notes };
  },
  runKey: (s) => JSON.stringify([s.code, s.threads, s.seed]),
  run: (s, signal) => runActors(s.code, { threads: s.threads, seed: s.seed }, signal),
  fold: (run) => actorsFold(run),
  narrate(run, fold, step) {
    if (run.sourceError) return `Nothing ran: ${run.sourceError.message}`;
    if (run.trace.length === 0 && run.error) return run.error.message;
    return narrateStep(run, fold as ReturnType<typeof actorsFold>, step);
  },
  emptyState: EMPTY_STATE,
};
