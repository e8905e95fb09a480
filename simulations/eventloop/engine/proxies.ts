/**
 * The sandbox's `Proxy`: the host's Proxy, with every proxy the program creates recorded (target
 * and handler, the target set to null once revoked), so the console can print a proxy as Node
 * does, by its target, without running any of the program's traps (a trap may log, throw or lie).
 */
/**
 * Every proxy the sandbox created: [target, handler], both null once revoked. One table for all
 * runs (a WeakMap: it holds nothing alive, and only answers "is this one of ours").
 */
const record = new WeakMap<object, [object | null, object | null]>();

/** [target, handler] of one of the sandbox's proxies, undefined for anything else. */
export function proxyRecord(v: object): [object | null, object | null] | undefined {
  return record.get(v);
}

export function createProxyCtor(): ProxyConstructor {
  const HostProxy = Proxy;
  const VProxy = function Proxy(this: unknown, target: object, handler: ProxyHandler<object>): object {
    if (!new.target) throw new TypeError("Constructor Proxy requires 'new'");
    const p = new HostProxy(target, handler);
    record.set(p, [target, handler]);
    return p;
  } as unknown as ProxyConstructor;
  Object.defineProperty(VProxy, 'length', { value: 2 });
  Object.defineProperty(VProxy, 'revocable', {
    value: function revocable(target: object, handler: ProxyHandler<object>): { proxy: object; revoke: () => void } {
      const r = HostProxy.revocable(target, handler);
      record.set(r.proxy, [target, handler]);
      const hostRevoke = r.revoke;
      // Like the host's revoke function, anonymous (name '').
      const revoke = [(): void => {
        record.set(r.proxy, [null, null]);
        hostRevoke();
      }][0];
      return { proxy: r.proxy, revoke };
    },
    writable: true,
    configurable: true,
  });
  return VProxy;
}
