/**
 * Async functions: the spec's Await and the coroutine that runs an async function's body.
 *
 * `await v` is PromiseResolve(%Promise%, v) then PerformPromiseThen with the coroutine as both
 * handlers, so `await promise` costs one tick, `await thenable` costs a thenable job first, and an
 * async function returning a promise resolves its own promise through a thenable job (two extra
 * ticks), as in ES2022+ engines. A reaction job whose handler is a coroutine resumes it through
 * settleInternal (async functions here, async generators in generators.ts).
 */
import { FULFILLED, PENDING, type Agent, type Cap, type InternalHandler, type PRec } from './agent';
import { agCompleteStep, agDrainQueue, agRun, agYield, type AsyncGenCtx, type AwaitReturnHandler } from './generators';
import { capReject, capResolve, intrinsicCap, performThen } from './promises';

/** Coroutine state of an async function. */
export class AsyncFnCtx implements InternalHandler {
  readonly hk = 1 as const;
  gen: Generator | null = null;
  resumeLoc = -1;
  constructor(
    readonly cap: Cap,
    readonly fid: number,
  ) {}
}

/** Resumes the coroutine an internal reaction handler stands for, with the settled value. */
export function settleInternal(ag: Agent, h: InternalHandler, type: 0 | 1, arg: unknown): void {
  if (h.hk === 1) {
    const ctx = h as AsyncFnCtx;
    resumeFrame(ag, ctx.fid, ctx.resumeLoc, type, ctx.cap.rec?.id);
    asyncStep(ag, ctx, type, arg);
  } else if (h.hk === 2) {
    const ctx = h as AsyncGenCtx;
    resumeFrame(ag, ctx.fid, ctx.resumeLoc, type);
    const kind = ctx.awaitKind;
    if (kind === 0) agRun(ag, ctx, type === 0 ? 'next' : 'throw', arg);
    else if (kind === 1) {
      if (type === 0) agYield(ag, ctx, arg, false);
      else agRun(ag, ctx, 'throw', arg);
    } else {
      if (ctx.raw) agRun(ag, ctx, 'next', type === 0 ? { type: 2, value: arg } : { type: 1, value: arg });
      else agRun(ag, ctx, type === 0 ? 'return' : 'throw', arg);
    }
  } else {
    const ctx = (h as AwaitReturnHandler).ctx;
    ctx.state = 'completed';
    agCompleteStep(ag, ctx, type === 0 ? 0 : 1, arg, true);
    agDrainQueue(ag, ctx);
  }
}

/** A suspended coroutine's frame goes back on the stack: one `resume` event (a push). */
function resumeFrame(ag: Agent, fid: number, loc: number, type: 0 | 1, by?: number): void {
  ag.L.p = loc;
  if (ag.live()) {
    const name = ag.fns[fid].name;
    ag.emit({
      seq: ag.rec.events.length,
      t: ag.clock,
      kind: 'resume',
      loc: loc >= 0 ? ag.locs[loc] : undefined,
      name,
      fn: fid,
      how: type === 0 ? 'fulfilled' : 'rejected',
      job: ag.resumeJob,
      by,
    });
  }
  ag.stack.push(fid);
}

/**
 * Await(value) for a coroutine: PromiseResolve(%Promise%, value), PerformPromiseThen with the
 * coroutine as handler, and the frame is popped (the function is suspended; the `await` event
 * is that pop). Returns false if PromiseResolve threw (then `awaitError` holds the exception to
 * throw into the coroutine, whose frame stays on the stack).
 */
export function awaitValue(ag: Agent, ctx: AsyncFnCtx | AsyncGenCtx, value: unknown): boolean {
  const site = ag.L.w;
  let rec: PRec;
  let kind: 'promise' | 'thenable' | 'value';
  try {
    // PromiseResolve(%Promise%, value), returning the record.
    const own = ag.slots(value);
    if (own && (value as { constructor?: unknown }).constructor === ag.PromiseCtor) {
      rec = own;
      kind = 'promise';
    } else {
      rec = intrinsicCap(ag, 'await') as PRec;
      capResolve(ag, rec, value);
      kind = rec.state === PENDING ? 'thenable' : 'value';
    }
  } catch (e) {
    ag.guard(e);
    ag.awaitError = e;
    return false;
  }
  const s = site >= 0 ? ag.sites[site] : undefined;
  ctx.resumeLoc = s ? s.loc : ag.L.p;
  // When the promise is already settled, PerformPromiseThen queues the continuation at once:
  // the await event carries that job instead of a separate microtask-enqueue step.
  const settled = rec.state !== PENDING;
  const job = settled ? ag.nextJobId : undefined;
  if (settled) ag.quietEnqueue = true;
  performThen(ag, rec, ctx, ctx, undefined, 'await');
  ag.quietEnqueue = false;
  if (ag.live()) {
    ag.emit({
      seq: ag.rec.events.length,
      t: ag.clock,
      kind: 'await',
      loc: s ? ag.locs[s.loc] : ag.here(),
      fn: ag.fns[ctx.fid].name,
      promise: rec.id,
      value: kind,
      text: s ? s.text : '',
      site: s ? s.kind : 'await',
      job,
      handler: settled ? (rec.state === FULFILLED ? 'fulfill' : 'reject') : undefined,
      by: ctx.hk === 1 ? ctx.cap.rec?.id : undefined,
    });
  }
  // The coroutine is suspended: its frame leaves the stack (the await event stands for the pop).
  ag.stack.pop();
  ag.L.w = -1;
  return true;
}

/** __$A: calls an async function whose body is the generator function `genFn`. */
export function startAsync(ag: Agent, genFn: Function, thisArg: unknown, args: ArrayLike<unknown>, fid: number): object {
  ag.countStep();
  const saved = ag.L.p;
  ag.pushFrame(fid, ag.fns[fid].loc);
  ag.L.p = ag.fns[fid].loc;
  const cap = intrinsicCap(ag, `async ${ag.fns[fid].name}`);
  const ctx = new AsyncFnCtx(cap, fid);
  try {
    ctx.gen = genFn.apply(thisArg, args) as Generator;
  } catch (e) {
    ag.guard(e);
    capReject(ag, cap, e);
    ag.popFrame();
    ag.L.p = saved;
    return cap.promise;
  }
  asyncStep(ag, ctx, 0, undefined);
  ag.L.p = saved;
  return cap.promise;
}

function asyncStep(ag: Agent, ctx: AsyncFnCtx, type: 0 | 1, value: unknown): void {
  for (;;) {
    let r: IteratorResult<unknown>;
    try {
      r = type === 0 ? ctx.gen!.next(value) : ctx.gen!.throw(value);
    } catch (e) {
      ag.guard(e);
      capReject(ag, ctx.cap, e);
      ag.popFrame();
      return;
    }
    if (ag.stopped) throw ag.stopped;
    if (r.done) {
      capResolve(ag, ctx.cap, r.value);
      ag.popFrame();
      return;
    }
    if (awaitValue(ag, ctx, r.value)) return;
    type = 1;
    value = ag.awaitError;
  }
}
