// Our context manager against @opentelemetry/context-async-hooks' AsyncLocalStorageContextManager: the same script
// through each, and what every step observes must be the same.
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { ROOT_CONTEXT, createContextKey, type Context, type ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { describe, expect, it } from 'vitest';
import { asyncLocalStorageContextManager } from '../../src/telemetry/context-manager.ts';

const KEY = createContextKey('test.which');
const ctx = (name: string): Context => ROOT_CONTEXT.setValue(KEY, name);
const which = (m: ContextManager) => (m.active() === ROOT_CONTEXT ? 'root' : String(m.active().getValue(KEY)));
const tick = () => new Promise((r) => setTimeout(r, 1));

type Script = (m: ContextManager, log: (s: string) => void) => Promise<void> | void;

async function same(script: Script): Promise<string[]> {
  const record = async (m: ContextManager) => {
    const log: string[] = [];
    try {
      await script(m.enable(), (s) => log.push(s));
    } finally {
      m.disable();
    }
    return log;
  };
  const sdk = await record(new AsyncLocalStorageContextManager());
  const ours = await record(asyncLocalStorageContextManager());
  expect(ours).toEqual(sdk);
  return ours;
}

const attachScript: Script = (m, log) => {
  m.with(ctx('outer'), () => {
    const token = m.attach!(ctx('attached'));
    log(which(m));
    token.dispose();
    log(which(m));
    const again = m.attach!(ctx('again'));
    again.dispose();
    m.attach!(ctx('later'));
    again.dispose();
    log(which(m));
  });
};

describe('asyncLocalStorageContextManager, as AsyncLocalStorageContextManager', () => {
  it('with: the context inside, across awaits and timers, nested, this and arguments passed, the result returned', async () => {
    const log = await same(async (m, log) => {
      log(which(m));
      const result = await m.with(
        ctx('a'),
        async function (this: { tag: string } | undefined, x: number, y: number) {
          log(`${which(m)} ${this?.tag} ${x + y}`);
          await tick();
          log(which(m));
          await new Promise<void>((r) => setTimeout(() => (log(`timer ${which(m)}`), r()), 1));
          m.with(ctx('b'), () => log(which(m)));
          log(which(m));
          return 'done';
        },
        { tag: 'self' },
        1,
        2,
      );
      log(`${result} ${which(m)}`);
      log(String(m.with(ctx('c'), () => which(m), undefined)));
    });
    expect(log).toEqual(['root', 'a self 3', 'a', 'timer a', 'b', 'a', 'done root', 'c']);
  });

  it('bind: a function keeps its context, its length and its this; other values come back as they are', async () => {
    await same((m, log) => {
      const fn = m.bind(ctx('bound'), function (this: { tag?: string } | undefined, _a: unknown, _b: unknown) {
        return `${which(m)} ${this?.tag}`;
      });
      log(`${fn.length} ${fn.call({ tag: 't' }, 1, 2)}`);
      m.with(ctx('other'), () => log(fn.call(undefined, 1, 2)));
      const plain = { x: 1 };
      log(String(m.bind(ctx('x'), plain) === plain));
      log(String(m.bind(ctx('x'), 42)));
    });
  });

  it('bind: an EventEmitter runs its listeners in the bound context; remove, off and removeAll find them', async () => {
    const log = await same((m, log) => {
      const ee = new EventEmitter();
      m.bind(ctx('ee'), ee);
      m.bind(ctx('second'), ee); // bound once: the first context stays
      const listener = (tag: string) => log(`${tag} ${which(m)}`);
      m.with(ctx('adder'), () => {
        ee.on('x', listener);
        ee.once('y', listener);
        ee.prependListener('x', (tag: string) => log(`first ${tag} ${which(m)}`));
      });
      ee.emit('x', 'x1');
      ee.emit('y', 'y1');
      ee.emit('y', 'y2');
      ee.removeListener('x', listener);
      ee.emit('x', 'x2');
      ee.on('z', listener);
      ee.off('z', listener);
      ee.emit('z', 'z1');
      ee.on('w', listener);
      ee.removeAllListeners('w');
      ee.emit('w', 'w1');
      ee.once('u', listener); // once() adds through on(): wrapped once, so removing the original finds it
      ee.removeListener('u', listener);
      ee.emit('u', 'u1');
      ee.on('v', listener);
      ee.removeAllListeners();
      ee.emit('v', 'v1');
      ee.emit('x', 'x3');
      log(`listeners ${ee.listenerCount('x')}`);
    });
    expect(log).toEqual(['first x1 ee', 'x1 ee', 'y1 ee', 'first x2 ee', 'listeners 0']);
  });

  it('attach: the context until dispose, which restores the previous one once', async () => {
    expect(await same(attachScript)).toEqual(['attached', 'outer', 'later']);
  });

  it('attach without AsyncLocalStorage#withScope (Node 22): enterWith and a dispose-once token', async () => {
    const proto = AsyncLocalStorage.prototype as unknown as { withScope?: unknown };
    const saved = Object.getOwnPropertyDescriptor(proto, 'withScope');
    delete proto.withScope;
    try {
      expect(await same(attachScript)).toEqual(['attached', 'outer', 'later']);
    } finally {
      if (saved) Object.defineProperty(proto, 'withScope', saved);
    }
  });

  it('disable: back to the root context', async () => {
    await same((m, log) => {
      m.with(ctx('a'), () => {
        m.disable();
        log(which(m));
      });
    });
  });
});
