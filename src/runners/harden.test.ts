import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { harden, NETWORK_STORAGE_AND_MESSAGING } from './harden.js';

describe('harden', () => {
  it('the exercises keep a copy of the site’s boundary, byte for byte (copy src/runners/harden.js over it)', () => {
    const site = readFileSync(fileURLToPath(new URL('./harden.js', import.meta.url)), 'utf8');
    const exercises = readFileSync(fileURLToPath(new URL('../../content/exercises/_runtime/harden.js', import.meta.url)), 'utf8');
    expect(exercises).toBe(site);
  });

  it('removes the network, storage and messaging globals from the scope and its prototypes, for good', () => {
    class Proto {
      postMessage() {
        return 'sent';
      }
    }
    const scope = Object.assign(new Proto(), { fetch: () => 'net', caches: {}, Worker: class {}, MessageChannel: class {}, setTimeout }) as unknown as Record<string, unknown>;
    harden(scope);
    for (const name of ['fetch', 'caches', 'Worker', 'postMessage']) {
      expect(scope[name], name).toBeUndefined();
      expect(() => {
        'use strict';
        scope[name] = () => 'back';
      }).toThrow(TypeError);
    }
    expect(Proto.prototype.postMessage).toBeUndefined();
    expect(typeof scope.MessageChannel).toBe('function');
    expect(scope.setTimeout).toBe(setTimeout);
    expect(NETWORK_STORAGE_AND_MESSAGING).toEqual(expect.arrayContaining(['fetch', 'XMLHttpRequest', 'WebSocket', 'importScripts', 'indexedDB', 'postMessage', 'navigator']));
  });
});
