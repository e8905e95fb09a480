/**
 * The live side of a lab, shared by every lab root: settings, run and stop, the run on screen and
 * its timeline, staleness, URL load and save, and the notices a learner reads. No UI: a lab root
 * makes one in its script, calls `start()` from `onMount`, and lays out views of `current`.
 *
 *   const session = new LabSession(model, { id, initial: model.preset('lost-updates'), presentPage });
 *   onMount(() => session.start());
 *   session.update({ seed: 4 });            // and runs again
 *   session.current?.run, session.timeline.state, session.narration
 *
 * - A new run replaces the one in flight (its signal aborts); after 400 ms a Stop shows.
 * - Stop aborts, clears the screen and says so; a failed run keeps nothing and says why.
 * - `stale`: the settings a run depends on (`model.runKey`) changed since the run on screen.
 * - A lab whose engine is cheap enough for the page may set `current` (and the timeline's fold)
 *   itself before `start()`, so the server render and hydration show a run; `start()` then runs
 *   only if the link changes the settings or asks for a step.
 * - The URL holds the settings (relative to the preset they started from) and the step, in the
 *   lab's namespace; it is written once the learner has touched something, never while playing.
 */
import { untrack } from 'svelte';
import { formatParam, packText, packTextSync, type ParamRecord } from '#lib/permalink';
import { Timeline, type KeepStep } from './timeline.svelte';
import { createUrlWriter, currentPermalink, fitSearch } from './urlState';
import { PRESET_KEY, readLink, type Fold, type LabModel } from './labModel';
import { programFileName, programFileText, readProgramFile } from './programFile';

/**
 * What LabFrame needs to offer a lab's program as a file when it is too large for a link
 * (LabSession implements it for labs with learner text, `url.packed`).
 */
export interface ProgramFiles {
  readonly model: { noun: string };
  /** The link named a program kept in another browser's storage, and this one has none. */
  readonly localMissing: boolean;
  /** The file "Download program" saves. */
  programFile(): { name: string; text: string };
  /** Loads a program file's bytes and runs it; returns the reason when it refuses. */
  openProgram(name: string, bytes: Uint8Array, size?: number): Promise<string | null>;
}

/** localStorage key of a lab instance's program that did not fit in the URL. */
export function localProgramKey(pathname: string, ns: string): string {
  return `async-lab:program:${pathname}#${ns}`;
}

export interface Current<S, R, St> {
  run: R;
  fold: Fold<St>;
  settings: S;
  key: string;
  /** `link`: the run came with the link (its author's measurement), not from this page. */
  origin: 'run' | 'link';
}

export interface SessionOptions<S> {
  /** The lab's DOM id, also its URL namespace unless a presenter link names another. */
  id: string;
  /** The settings the lab shows before any link is read (a preset's, or the lesson's own code). */
  initial: S;
  /** On /present/: read `lab` and `preset` from the URL. */
  presentPage?: boolean;
}

export class LabSession<S extends object, R, St, P = never> {
  readonly model: LabModel<S, R, St, P>;
  readonly id: string;
  /** URL namespace. */
  ns = $state('');
  settings = $state() as S;
  /** The preset (or initial code) the settings started from: "edited" and Restore compare with it. */
  base = $state.raw() as S;
  current = $state.raw<Current<S, R, St> | null>(null);
  running = $state(false);
  showStop = $state(false);
  runCount = $state(0);
  runNotice = $state<string | null>(null);
  linkNotice = $state<string | null>(null);
  clampNotes = $state<string[]>([]);
  /** The link said `local=` and this browser does not hold the program it left out. */
  localMissing = $state(false);
  /** The latest progress a long run reported (null when none is running). */
  progress = $state.raw<P | null>(null);
  readonly timeline: Timeline<St>;
  readonly stale = $derived.by(() => this.current !== null && this.model.runKey(this.settings) !== this.current.key);
  readonly edited = $derived.by(() => this.model.runKey(this.settings) !== this.model.runKey(this.base));
  readonly narration = $derived.by(() => {
    const c = this.current;
    if (!c) return this.running ? `Running the ${this.model.noun}…` : `Press Run to run the ${this.model.noun}.`;
    return this.model.narrate(c.run, c.fold, this.timeline.step);
  });

  #presentPage: boolean;
  #controller: AbortController | null = null;
  #writer: ReturnType<typeof createUrlWriter> | null = null;
  #mounted = $state(false);
  #touched = false;
  #initialKey = '';
  #packed = $state.raw<Record<string, { text: string; field: string }>>({});
  #packedResult = $state.raw<{ text: string; field: string } | null>(null);

  constructor(model: LabModel<S, R, St, P>, options: SessionOptions<S>) {
    this.model = model;
    this.id = options.id;
    this.ns = options.id;
    this.#presentPage = options.presentPage ?? false;
    this.settings = options.initial;
    this.base = options.initial;
    this.timeline = new Timeline<St>({ length: 0, at: () => model.emptyState });
    if (model.runSync) this.#show(model.runSync(options.initial), options.initial, 'reset');

    // Compress edited text fields off the main path, so a link is ready when Copy is pressed.
    $effect(() => {
      for (const key of Object.keys(model.url.packed ?? {})) {
        const text = (this.settings as Record<string, unknown>)[key];
        if (typeof text !== 'string' || text === (this.base as Record<string, unknown>)[key]) continue;
        if (untrack(() => this.#packed[key]?.text) === text) continue;
        let live = true;
        packText(text).then(
          (field) => {
            if (live) this.#packed = { ...untrack(() => this.#packed), [key]: { text, field } };
          },
          () => {},
        );
        return () => {
          live = false;
        };
      }
    });

    // The same for a run that travels in links.
    $effect(() => {
      const c = this.current;
      const result = model.url.result;
      if (!result || !c) return;
      const text = result.encode(c.run);
      let live = true;
      packText(text).then(
        (field) => {
          if (live) this.#packedResult = { text, field };
        },
        () => {},
      );
      return () => {
        live = false;
      };
    });

    // Keep the URL in step with what the learner sees (not while playing or running).
    $effect(() => {
      if (!this.#mounted || this.timeline.playing || this.running) return;
      const values = this.linkValues();
      const key = JSON.stringify(values);
      if (!this.#touched && key === this.#initialKey) return;
      this.#touched = true;
      this.#writer?.write(values);
    });
  }

  /** Reads the link, runs, and returns the teardown. Call from `onMount`. */
  start(): () => void {
    let live = true;
    (async () => {
      const reading = await readLink(this.model, location.search, this.ns, untrack(() => this.settings), this.#presentPage);
      if (!live) return;
      this.ns = reading.ns;
      this.settings = reading.settings;
      this.base = reading.base;
      this.linkNotice = reading.notice;
      this.clampNotes = reading.clampNotes;
      const local = (reading.local ?? []).filter((k) => k in (this.model.url.packed ?? {}));
      if (local.length > 0 && !reading.notice) {
        // The program was too large for the link and stayed in this browser (see #fit).
        const kept = this.#loadLocal(local);
        if (kept) {
          const { settings, notes } = this.model.clamp({ ...reading.settings, ...kept });
          this.settings = settings;
          this.clampNotes = [...this.clampNotes, ...notes];
        } else {
          this.localMissing = true;
          this.linkNotice = `This link was made for a ${this.model.noun} too large for a link, which stayed in the browser that made it; it is not in this one, so the lab shows its ${this.model.noun} without it. Ask for the ${this.model.noun} as a file and load it with “Open a file…”.`;
        }
      }
      if (reading.fromLink && !this.linkNotice) this.#touched = true;
      if (reading.run !== undefined) this.#show(reading.run, reading.settings, 'reset', reading.step, 'link');
      this.#writer = createUrlWriter(this.ns, 400, (params, values) => this.#fit(params, values));
      this.#initialKey = JSON.stringify(this.linkValues());
      this.#mounted = true;
      // A lab that rendered its first run itself (on the server, and at hydration) keeps it when the
      // link changes nothing, and keeps the learner's place in it: no second run, no reset.
      const shown = untrack(() => this.current);
      if (reading.run !== undefined || (shown && reading.step === undefined && shown.key === this.model.runKey(reading.settings))) return;
      if (this.model.autoRun ?? true) await this.#runNow(reading.step);
    })();
    return () => {
      live = false;
      this.#controller?.abort();
      this.#controller = null;
      this.#writer?.dispose();
      this.timeline.destroy();
    };
  }

  /** Runs the current settings (what a Run button does). */
  run(): void {
    this.#rerun('reset');
  }

  #rerun(keep: KeepStep): void {
    this.#touched = true;
    this.clampNotes = [];
    this.linkNotice = null;
    void this.#runNow(undefined, keep);
  }

  /**
   * Changes settings, pulled into range (one note per value moved), and runs again when the change
   * matters to the run (or `run` says so). The new run opens where `model.keepStep` says (default:
   * step 0).
   */
  update(patch: Partial<S>, run?: boolean): void {
    const before = this.model.runKey(this.settings);
    const { settings, notes } = this.model.clamp({ ...this.settings, ...patch });
    this.settings = settings;
    this.#touched = true;
    if (run ?? this.model.runKey(settings) !== before) this.#rerun(this.model.keepStep ?? 'reset');
    this.clampNotes = notes;
  }

  /** Switches to a preset (keeping what `model.keepOnPresetChange` keeps) and runs it unless `autoRun` is off. */
  choosePreset(id: string): void {
    if (!this.model.presets.some((p) => p.id === id)) return;
    const next = this.model.preset(id);
    this.base = next;
    this.settings = this.model.keepOnPresetChange ? this.model.clamp(this.model.keepOnPresetChange(this.settings, next)).settings : next;
    if (this.model.autoRun ?? true) return this.run();
    this.#touched = true;
    this.clampNotes = [];
    this.linkNotice = null;
  }

  /** Puts back what the lab started with (the preset or the lesson's code) and runs it. */
  restore(): void {
    this.settings = this.base;
    this.run();
  }

  /** Stops the run in flight; nothing is shown until the next Run (or, with `keepStopped`, what it measured). */
  stop(): void {
    if (this.model.keepStopped) {
      this.#controller?.abort(); // the run resolves with what it measured; #runNow shows it
      return;
    }
    const ac = this.#controller;
    this.#controller = null;
    ac?.abort();
    this.running = false;
    this.showStop = false;
    this.runNotice = `You stopped the run before it finished; nothing is shown. Press Run to try again.`;
    this.current = null;
    this.timeline.setFold({ length: 0, at: () => this.model.emptyState }, 'reset');
  }

  /** The fields a link carries for the state on screen. */
  linkValues(): ParamRecord {
    const s = this.settings as Record<string, unknown>;
    const values = this.model.url.encode(this.settings, this.base);
    for (const key of Object.keys(this.model.url.packed ?? {})) {
      const text = s[key];
      if (typeof text !== 'string' || values[key] === undefined) continue;
      const cached = this.#packed[key];
      values[key] = cached && cached.text === text ? cached.field : packTextSync(text);
    }
    const result = this.model.url.result;
    const c = this.current;
    if (result && c && !this.stale) {
      const text = result.encode(c.run);
      const cached = this.#packedResult;
      values.res = cached && cached.text === text ? cached.field : packTextSync(text);
    }
    // A lab without steps (a measurement: a fold of length 0) has no step to link to.
    return { ...values, step: this.timeline.length > 0 ? this.timeline.step : undefined };
  }

  /**
   * The query the URL gets for `values`: whole when it fits in MAX_LINK_QUERY; else without the
   * learner's text (kept in localStorage for this lab instance, so a reload restores it) and the
   * measured run, marked `local=`; null (the URL stays as it was) when even that does not fit or
   * storage refuses the text.
   */
  #fit(params: URLSearchParams, values: ParamRecord): URLSearchParams | null {
    const packedKeys = Object.keys(this.model.url.packed ?? {});
    const fitted = fitSearch(params, this.ns, values, [...packedKeys, 'res']);
    if (!fitted.fits) return null;
    const kept = fitted.dropped.filter((k) => packedKeys.includes(k));
    return this.#saveLocal(kept) ? fitted.search : null;
  }

  #saveLocal(keys: string[]): boolean {
    try {
      const key = localProgramKey(location.pathname, this.ns);
      if (keys.length === 0) {
        localStorage.removeItem(key);
        return true;
      }
      const s = untrack(() => this.settings) as Record<string, unknown>;
      localStorage.setItem(key, JSON.stringify(Object.fromEntries(keys.map((k) => [k, s[k]]))));
      return true;
    } catch {
      return keys.length === 0;
    }
  }

  #loadLocal(keys: string[]): Record<string, string> | null {
    try {
      const raw = localStorage.getItem(localProgramKey(location.pathname, this.ns));
      const data: unknown = raw ? JSON.parse(raw) : null;
      if (!data || typeof data !== 'object') return null;
      const out: Record<string, string> = {};
      for (const k of keys) {
        const v = (data as Record<string, unknown>)[k];
        if (typeof v !== 'string') return null;
        out[k] = v;
      }
      return out;
    } catch {
      return null;
    }
  }

  /** The program as a file (the lab's first packed field, after a header naming lab, preset and settings). */
  programFile(): { name: string; text: string } {
    const packedKeys = Object.keys(this.model.url.packed ?? {});
    const values = this.model.url.encode(this.settings, this.base);
    const fields = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null && !packedKeys.includes(k)) fields.set(k, formatParam(v));
    const preset = values[PRESET_KEY] ?? (this.settings as Record<string, unknown>)[PRESET_KEY];
    const info = {
      labId: this.model.id,
      ns: this.ns,
      page: location.pathname,
      preset: typeof preset === 'string' ? preset : undefined,
      settings: fields.toString(),
    };
    const code = (this.settings as Record<string, unknown>)[packedKeys[0]];
    return { name: programFileName(info), text: programFileText(info, typeof code === 'string' ? code : '') };
  }

  /**
   * Loads a program file (checked by readProgramFile: size, text, header) and runs it with the
   * settings its header names. Returns why it refused, or null.
   */
  async openProgram(name: string, bytes: Uint8Array, size = bytes.length): Promise<string | null> {
    const key = Object.keys(this.model.url.packed ?? {})[0];
    if (!key) return `This lab has no ${this.model.noun} to load from a file.`;
    const file = readProgramFile(name, bytes, undefined, size);
    if (!file.ok) return file.message;
    if (file.labId && file.labId !== this.model.id) {
      return `“${name}” is a ${this.model.noun} for the ${file.labId} lab, not for this one (${this.model.id}); nothing was loaded.`;
    }
    let base = this.base;
    let settings = this.settings;
    if (file.settings) {
      const search = new URLSearchParams();
      for (const [k, v] of new URLSearchParams(file.settings)) search.set(`${this.ns}.${k}`, v);
      const reading = await readLink(this.model, search.toString(), this.ns, this.base, false);
      if (reading.notice) return `The settings line of “${name}” could not be read (${reading.notice.replace(/^.*\(|\);.*$/g, '')}); nothing was loaded.`;
      base = reading.base;
      settings = reading.settings;
    }
    this.base = base;
    this.settings = settings;
    this.localMissing = false;
    this.linkNotice = null;
    this.update({ [key]: file.code } as Partial<S>, true);
    return null;
  }

  /** The permalink to the state on screen, scrolled to the lab. */
  link(): string {
    return currentPermalink(this.ns, this.linkValues(), this.id);
  }

  /** Puts a finished run on screen. */
  #show(run: R, settings: S, keep: 'proportional' | 'reset' | 'clamp', step?: number, origin: 'run' | 'link' = 'run'): void {
    const fold = this.model.fold(run);
    this.current = { run, fold, settings, key: this.model.runKey(settings), origin };
    this.runCount++;
    this.timeline.stepsPerSecond = this.model.rate?.(fold.length) ?? Math.max(3, Math.min(600, fold.length / 40));
    this.timeline.setFold(fold, keep, step);
    if (step !== undefined && (step > fold.length || step < 0)) {
      this.clampNotes = [
        ...this.clampNotes,
        `Step ${step.toLocaleString('en')} is outside this run (0 to ${fold.length.toLocaleString('en')}); showing step ${(step < 0 ? 0 : fold.length).toLocaleString('en')}.`,
      ];
    }
  }

  /**
   * A run that failed replaces the one on screen with nothing: the older run's graph, metrics and
   * engine error would otherwise sit above the new run's message as if they were its results.
   */
  #fail(error: unknown): void {
    this.runNotice = `The lab could not run this ${this.model.noun} (${error instanceof Error ? error.message : String(error)}).`;
    this.current = null;
    this.timeline.setFold({ length: 0, at: () => this.model.emptyState }, 'reset');
  }

  async #runNow(step?: number, keep: KeepStep = 'reset'): Promise<void> {
    if (this.model.runSync) {
      const settings = this.settings;
      if (this.current && this.current.key === this.model.runKey(settings)) {
        if (step !== undefined) this.timeline.seek(step);
        return;
      }
      try {
        this.#show(this.model.runSync(settings), settings, keep, step);
      } catch (error) {
        this.#fail(error);
      }
      return;
    }
    this.#controller?.abort();
    const ac = new AbortController();
    this.#controller = ac;
    const settings = this.settings;
    this.running = true;
    this.runNotice = null;
    this.timeline.pause();
    const stopTimer = setTimeout(() => {
      if (this.#controller === ac) this.showStop = true;
    }, 400);
    try {
      this.progress = null;
      const run = await this.model.run(settings, ac.signal, (p) => {
        if (this.#controller === ac) this.progress = p;
      });
      if (ac.signal.aborted && !(this.model.keepStopped && this.#controller === ac)) return;
      this.#show(run, settings, keep, step);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      if (this.#controller === ac) this.#fail(error);
    } finally {
      clearTimeout(stopTimer);
      if (this.#controller === ac) {
        this.#controller = null;
        this.running = false;
        this.showStop = false;
        this.progress = null;
      }
    }
  }
}

export { PRESET_KEY };
