/**
 * Programs for the cancellation differential test (eventloop-abort-differential.test.ts): each
 * runs in real Node 24 (with NATIVE_DELAY as `delay`) and in the lab, and must print the same.
 *
 * Timers in one program are at least 15 ms apart (25 ms where a chain of timers races one set
 * at the start, as lateness adds up along a chain), or set in an order real Node keeps (equal
 * delays set one after the other), so lateness of real timers cannot reorder them. `browser`
 * false: the browser runtime is not compared (a difference that is Chromium's, named there).
 */
export interface AbortProgram {
  name: string;
  source: string;
  /** Also compare the browser runtime (its Chromium messages mapped to Node's). Default true. */
  browser?: boolean;
}

/** `delay` for real Node: what the lab's delay does (a timer; an abort listener, once, when a signal is given). */
export const NATIVE_DELAY = `function delay(ms, value, options) {
  const signal = options == null ? undefined : options.signal;
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) { reject(signal.reason); return; }
    let onAbort;
    const t = setTimeout(() => { if (signal) signal.removeEventListener('abort', onAbort); resolve(value); }, ms);
    if (signal) {
      onAbort = () => { clearTimeout(t); reject(signal.reason); };
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}
`;

export const ABORT_PROGRAMS: AbortProgram[] = [
  {
    name: 'default reason: DOMException AbortError',
    source: `const c = new AbortController();
console.log(c.signal.aborted, c.signal.reason);
c.abort();
console.log(c.signal.aborted, c.signal.reason);
console.log(c.signal.reason.name, c.signal.reason.message, c.signal.reason.code);
console.log(c.signal.reason instanceof DOMException, c.signal.reason instanceof Error);`,
  },
  {
    name: 'abort twice keeps the first reason',
    source: `const c = new AbortController();
c.abort('first');
c.abort('second');
console.log(c.signal.reason);
const d = new AbortController();
d.abort(null);
console.log(d.signal.reason, d.signal.aborted);
const e = new AbortController();
e.abort(undefined);
console.log(e.signal.reason.name);`,
  },
  {
    name: 'custom reasons: object and Error',
    source: `const c = new AbortController();
c.abort({ why: 'user' });
console.log(c.signal.reason);
const d = new AbortController();
d.abort(new Error('stop'));
console.log(String(d.signal.reason), d.signal.reason.message);`,
  },
  {
    name: 'throwIfAborted',
    source: `const c = new AbortController();
c.signal.throwIfAborted();
console.log('not aborted: no throw');
c.abort();
try { c.signal.throwIfAborted(); } catch (e) { console.log('caught', e.name, e.message, e === c.signal.reason); }
try { AbortSignal.abort(42).throwIfAborted(); } catch (e) { console.log('caught', e); }`,
  },
  {
    name: 'listener order: addEventListener and onabort in the order set',
    source: `const c = new AbortController();
const s = c.signal;
s.addEventListener('abort', () => console.log('a'));
s.onabort = () => console.log('onabort');
s.addEventListener('abort', () => console.log('b'));
s.addEventListener('abort', { handleEvent(e) { console.log('object', e.type); } });
c.abort();
console.log('after abort');`,
  },
  {
    name: 'onabort replaced keeps its place',
    source: `const c = new AbortController();
c.signal.onabort = () => console.log('h1');
c.signal.addEventListener('abort', () => console.log('L'));
c.signal.onabort = () => console.log('h2');
c.abort();
console.log(typeof c.signal.onabort);`,
  },
  {
    name: 'abort listeners run before promise reactions',
    source: `const c = new AbortController();
Promise.resolve().then(() => console.log('microtask'));
c.signal.addEventListener('abort', () => {
  console.log('listener');
  Promise.resolve().then(() => console.log('microtask from listener'));
});
console.log('before');
c.abort();
console.log('after');`,
  },
  {
    name: 'abort inside a then callback',
    source: `const c = new AbortController();
c.signal.addEventListener('abort', () => console.log('listener', c.signal.reason));
Promise.resolve().then(() => { console.log('then 1'); c.abort('in then'); console.log('then 1 end'); });
Promise.resolve().then(() => console.log('then 2'));`,
  },
  {
    name: 'queueMicrotask from a listener runs after the aborting code',
    source: `const c = new AbortController();
c.signal.addEventListener('abort', () => queueMicrotask(() => console.log('queued in listener')));
queueMicrotask(() => console.log('queued before'));
c.abort();
queueMicrotask(() => console.log('queued after'));
console.log('sync end');`,
  },
  {
    name: 'once listener runs once',
    source: `const t = new EventTarget();
t.addEventListener('ping', () => console.log('once'), { once: true });
t.addEventListener('ping', () => console.log('always'));
t.dispatchEvent(new Event('ping'));
t.dispatchEvent(new Event('ping'));`,
  },
  {
    name: 'the same listener is added once',
    source: `const t = new EventTarget();
const f = (e) => console.log('f', e.type);
t.addEventListener('x', f);
t.addEventListener('x', f);
t.addEventListener('x', f, { once: true });
console.log(t.dispatchEvent(new Event('x')));
t.removeEventListener('x', f);
console.log(t.dispatchEvent(new Event('x')));`,
  },
  {
    name: 'removeEventListener during dispatch skips the removed listener',
    source: `const t = new EventTarget();
const b = () => console.log('b');
t.addEventListener('x', () => { console.log('a'); t.removeEventListener('x', b); });
t.addEventListener('x', b);
t.addEventListener('x', () => console.log('c'));
t.dispatchEvent(new Event('x'));`,
  },
  {
    name: 'dispatchEvent returns false when a cancelable event is prevented',
    source: `const t = new EventTarget();
t.addEventListener('go', (e) => e.preventDefault());
const e1 = new Event('go', { cancelable: true });
const e2 = new Event('go');
console.log(t.dispatchEvent(e1), e1.defaultPrevented, e1.cancelable);
console.log(t.dispatchEvent(e2), e2.defaultPrevented, e2.cancelable);`,
  },
  {
    name: 'event fields during and after dispatch',
    source: `const t = new EventTarget();
const e = new Event('y');
t.addEventListener('y', function (ev) { console.log(ev.eventPhase, ev.currentTarget === t, ev.target === t, ev.isTrusted, this === t); });
t.dispatchEvent(e);
console.log(e.eventPhase, e.currentTarget, e.target === t, e.type, e.bubbles);`,
  },
  {
    name: 'CustomEvent detail',
    source: `const t = new EventTarget();
t.addEventListener('msg', (e) => console.log(e.detail, e instanceof Event, e instanceof CustomEvent));
t.dispatchEvent(new CustomEvent('msg', { detail: { id: 7 } }));
console.log(new CustomEvent('z').detail, new CustomEvent('z', { detail: 0 }).detail);`,
  },
  {
    name: 'stopImmediatePropagation stops the later listeners',
    source: `const t = new EventTarget();
t.addEventListener('x', (e) => { console.log('1'); e.stopImmediatePropagation(); });
t.addEventListener('x', () => console.log('2'));
t.dispatchEvent(new Event('x'));
t.dispatchEvent(new Event('x'));`,
  },
  {
    name: 'the abort event',
    source: `const c = new AbortController();
c.signal.addEventListener('abort', function (e) { console.log(e.type, e.isTrusted, e.target === c.signal, this === c.signal, e instanceof Event, e.cancelable); });
c.abort();`,
  },
  {
    name: 'the signal option removes the listener on abort',
    source: `const t = new EventTarget();
const c = new AbortController();
t.addEventListener('x', () => console.log('with signal'), { signal: c.signal });
t.addEventListener('x', () => console.log('plain'));
t.dispatchEvent(new Event('x'));
c.abort();
t.dispatchEvent(new Event('x'));`,
  },
  {
    name: 'the signal option with an aborted signal adds nothing',
    source: `const t = new EventTarget();
t.addEventListener('x', () => console.log('never'), { signal: AbortSignal.abort() });
console.log(t.dispatchEvent(new Event('x')));
const c = new AbortController();
c.signal.addEventListener('abort', () => console.log('never either'), { signal: c.signal });
c.signal.addEventListener('abort', () => console.log('runs'));
c.abort();`,
  },
  {
    name: 'removing a once listener before dispatch',
    source: `const t = new EventTarget();
const f = () => console.log('f');
t.addEventListener('x', f, { once: true });
t.removeEventListener('x', f);
console.log(t.dispatchEvent(new Event('x')));`,
  },
  {
    name: 'nested abort runs inside the outer dispatch',
    source: `const a = new AbortController();
const b = new AbortController();
a.signal.addEventListener('abort', () => { console.log('a1'); b.abort('from a'); console.log('a1 end'); });
a.signal.addEventListener('abort', () => console.log('a2'));
b.signal.addEventListener('abort', () => console.log('b1', b.signal.reason));
a.abort();`,
  },
  {
    name: 'abort from its own listener is ignored',
    source: `const c = new AbortController();
let n = 0;
c.signal.addEventListener('abort', () => { n++; c.abort('again'); console.log('listener', n, c.signal.reason); });
c.abort('first');
console.log('calls', n);`,
  },
  {
    name: 'AbortSignal.abort',
    source: `const s = AbortSignal.abort();
console.log(s.aborted, s.reason.name, s.reason.message);
console.log(AbortSignal.abort('why').reason, s);
s.addEventListener('abort', () => console.log('never: already aborted'));`,
  },
  {
    name: 'types and prototypes',
    source: `const c = new AbortController();
console.log(typeof AbortController, typeof AbortSignal, typeof EventTarget, typeof Event, typeof CustomEvent, typeof DOMException);
console.log(c.signal instanceof EventTarget, c.signal instanceof AbortSignal, c instanceof EventTarget);
console.log(Object.prototype.toString.call(c.signal), Object.prototype.toString.call(c), Object.prototype.toString.call(new Event('x')));
console.log(c.signal.constructor.name, AbortSignal.name, typeof AbortSignal.timeout, typeof AbortSignal.any);
try { new AbortSignal(); } catch (e) { console.log(e.name, e.message); }`,
  },
  {
    name: 'console.log of controllers and signals',
    source: `const c = new AbortController();
console.log(c.signal);
console.log(c);
c.abort();
console.log(c.signal, [c.signal], { s: c.signal });
console.log(new EventTarget());`,
  },
  {
    name: 'DOMException',
    source: `const e = new DOMException('boom', 'TimeoutError');
console.log(e.name, e.message, e.code, String(e));
console.log(e);
const d = new DOMException();
console.log(d.name, JSON.stringify(d.message), d.code, d instanceof Error);
const a = new DOMException('x', 'AbortError');
console.log(a.code, DOMException.ABORT_ERR, DOMException.TIMEOUT_ERR, Object.keys(a));`,
  },
  {
    name: 'delay rejects with the reason when aborted',
    source: `const c = new AbortController();
delay(50, 'value', { signal: c.signal }).then((v) => console.log('fulfilled', v), (e) => console.log('rejected', e.name, e.message));
c.signal.addEventListener('abort', () => console.log('listener after delay'));
setTimeout(() => { console.log('abort now'); c.abort(); console.log('abort returned'); }, 20);`,
  },
  {
    name: 'delay with an aborted signal rejects at once',
    source: `delay(30, 1, { signal: AbortSignal.abort('early') }).catch((r) => console.log('rejected', r));
Promise.resolve().then(() => console.log('then'));
console.log('sync');`,
  },
  {
    name: 'delay fulfils when the signal is never aborted; a later abort changes nothing',
    source: `const c = new AbortController();
delay(20, 'done', { signal: c.signal }).then((v) => { console.log(v); c.abort(); console.log('aborted after', c.signal.aborted); }, () => console.log('never'));
delay(40, 'no options', undefined).then(console.log);
delay(60, 'empty options', {}).then(console.log);`,
  },
  {
    name: 'delay rejects with a custom reason',
    source: `const c = new AbortController();
const p = delay(100, 'x', { signal: c.signal });
setTimeout(() => c.abort(new Error('cancelled by user')), 20);
p.catch((e) => console.log('caught:', e.message, e instanceof Error));`,
  },
  {
    name: 'async function cancelled through a call chain',
    source: `async function step(n, signal) {
  await delay(50, n, { signal });
  console.log('step', n, 'done');
  return n;
}
async function job(signal) {
  try {
    for (let i = 1; i <= 4; i++) await step(i, signal);
    return 'finished';
  } catch (e) {
    console.log('job caught', e.name);
    throw e;
  } finally {
    console.log('job cleanup');
  }
}
const c = new AbortController();
job(c.signal).then(console.log, (e) => console.log('job rejected', e.message));
setTimeout(() => c.abort(), 75);`,
  },
  {
    name: 'throwIfAborted between awaits',
    source: `const c = new AbortController();
async function work(signal) {
  for (let i = 0; i < 5; i++) {
    signal.throwIfAborted();
    console.log('chunk', i);
    await delay(50);
  }
}
setTimeout(() => c.abort('stop'), 75);
work(c.signal).catch((r) => console.log('stopped with', r));`,
  },
  {
    name: 'AbortSignal.timeout fires between timers',
    source: `const s = AbortSignal.timeout(40);
s.addEventListener('abort', () => console.log('timeout', s.reason.name, s.reason.message, s.reason.code));
setTimeout(() => console.log('20 ms', s.aborted), 20);
setTimeout(() => console.log('70 ms', s.aborted, s.reason instanceof DOMException), 70);`,
  },
  {
    name: 'AbortSignal.timeout and a timer of the same delay, in the order set',
    source: `setTimeout(() => console.log('timer set first'), 30);
const s = AbortSignal.timeout(30);
s.onabort = () => console.log('timeout');
setTimeout(() => console.log('timer set last'), 30);
setTimeout(() => console.log('end'), 60);`,
  },
  {
    name: 'AbortSignal.timeout reason printed',
    source: `const s = AbortSignal.timeout(20);
setTimeout(() => { console.log(s.reason); console.log(s); }, 50);`,
  },
  {
    name: 'AbortSignal.timeout cancels a delay',
    source: `const signal = AbortSignal.timeout(30);
delay(100, 'slow', { signal }).then(console.log, (e) => console.log('rejected', e.name));
delay(10, 'fast', { signal }).then(console.log);`,
  },
  {
    name: 'abort listeners vs promise reactions in a timeout',
    source: `const s = AbortSignal.timeout(20);
s.addEventListener('abort', () => {
  console.log('listener 1');
  Promise.resolve().then(() => console.log('reaction'));
});
s.addEventListener('abort', () => console.log('listener 2'));
setTimeout(() => console.log('later timer'), 40);`,
  },
  {
    name: 'AbortSignal.timeout does not keep Node alive',
    browser: false,
    source: `const s = AbortSignal.timeout(30);
s.onabort = () => console.log('never in Node: the timeout timer is unref\\'d');
setTimeout(() => console.log('10 ms'), 10);`,
  },
  {
    name: 'AbortSignal.any follows the first to abort',
    source: `const a = new AbortController();
const b = new AbortController();
const any = AbortSignal.any([a.signal, b.signal]);
a.signal.addEventListener('abort', () => console.log('a listener; any aborted?', any.aborted));
any.addEventListener('abort', () => console.log('any listener', any.reason === b.signal.reason, any.reason));
b.signal.addEventListener('abort', () => console.log('b listener; any aborted?', any.aborted));
b.abort('b went first');
a.abort('a later');
console.log(any.reason, a.signal.reason);`,
  },
  {
    name: 'AbortSignal.any of an aborted signal',
    source: `const any = AbortSignal.any([new AbortController().signal, AbortSignal.abort('already')]);
console.log(any.aborted, any.reason);
const none = AbortSignal.any([]);
console.log(none.aborted, none.reason);`,
  },
  {
    name: 'AbortSignal.any of an any',
    source: `const a = new AbortController();
const inner = AbortSignal.any([a.signal]);
const outer = AbortSignal.any([inner]);
inner.addEventListener('abort', () => console.log('inner'));
outer.addEventListener('abort', () => console.log('outer'));
a.signal.addEventListener('abort', () => console.log('source'));
a.abort();
console.log(inner.reason === a.signal.reason, outer.reason === a.signal.reason);`,
  },
  {
    name: 'AbortSignal.any with a timeout and a controller',
    source: `const user = new AbortController();
const signal = AbortSignal.any([user.signal, AbortSignal.timeout(30)]);
signal.addEventListener('abort', () => console.log('aborted:', signal.reason.name));
delay(100, 'slow', { signal }).catch((e) => console.log('delay rejected', e.name));
setTimeout(() => { user.abort(); console.log('user abort is too late', signal.reason.name); }, 60);`,
  },
  {
    name: 'Promise.race loser cancelled after the winner',
    source: `const c = new AbortController();
const slow = delay(100, 'slow', { signal: c.signal });
const fast = delay(20, 'fast', { signal: c.signal });
Promise.race([slow, fast]).then((v) => { console.log('winner', v); c.abort(); });
slow.catch((e) => console.log('loser', e.name));`,
  },
  {
    name: 'Promise.all with a failing sibling, siblings cancelled',
    source: `const c = new AbortController();
async function part(name, ms, fail) {
  await delay(ms, null, { signal: c.signal });
  if (fail) throw new Error(name + ' failed');
  console.log(name, 'ok');
  return name;
}
const parts = [part('a', 60), part('b', 20, true), part('c', 80)];
Promise.all(parts).catch((e) => { console.log('all:', e.message); c.abort(); });
Promise.allSettled(parts).then((r) => console.log(r.map((x) => x.status + ':' + (x.value ?? x.reason.name)).join(' ')));`,
  },
  {
    name: 'a cancellable sleep awaited in an async function',
    source: `async function main() {
  const c = new AbortController();
  setTimeout(() => c.abort(), 30);
  try {
    await delay(1000, 'never', { signal: c.signal });
  } catch (e) {
    console.log('sleep cancelled', e.message);
  }
  console.log('main goes on');
}
main().then(() => console.log('main done'));`,
  },
  {
    name: 'awaiting the abort event',
    source: `const c = new AbortController();
const aborted = new Promise((resolve) => c.signal.addEventListener('abort', () => resolve(c.signal.reason), { once: true }));
aborted.then((r) => console.log('abort seen:', r));
setTimeout(() => { c.abort('bye'); console.log('after abort()'); }, 20);`,
  },
  {
    name: 'Event constants and preventDefault in a passive listener',
    source: `console.log(Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE);
const t = new EventTarget();
t.addEventListener('x', (e) => e.preventDefault(), { passive: true });
const e = new Event('x', { cancelable: true });
console.log(t.dispatchEvent(e), e.defaultPrevented);`,
  },
  {
    name: 'a listener added during dispatch runs next time',
    source: `const t = new EventTarget();
let added = false;
t.addEventListener('x', () => {
  console.log('first');
  if (!added) { added = true; t.addEventListener('x', () => console.log('added')); }
});
t.dispatchEvent(new Event('x'));
console.log('--');
t.dispatchEvent(new Event('x'));`,
  },
];
