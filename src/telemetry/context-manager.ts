import { ROOT_CONTEXT, type Context, type ContextManagementToken, type ContextManager } from '@opentelemetry/api';

type Listener = (...args: unknown[]) => unknown;
type Method = (this: unknown, ...args: unknown[]) => unknown;
type Emitter = Record<string | symbol, unknown>;
type PatchMap = Record<string | symbol, WeakMap<Listener, Listener> | undefined>;

/** One manager's EventEmitter patching: where it keeps an emitter's listeners, and whether it is adding one. */
interface Patching {
  key: symbol;
  adding: boolean;
  bind: <T>(context: Context, target: T) => T;
}

const ADD_LISTENER_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'];

/**
 * `@opentelemetry/context-async-hooks`' AsyncLocalStorageContextManager, method for method (`with`, `bind` of a
 * function or an EventEmitter's listeners, `attach` with its dispose-once token, `disable`), as closures a minifier
 * can shorten and with `node:async_hooks`/`node:events` taken from `process.getBuiltinModule` rather than static
 * ES imports: about 60% of its bundle bytes.
 */
export function asyncLocalStorageContextManager(): ContextManager {
  const { AsyncLocalStorage } = process.getBuiltinModule('node:async_hooks') as typeof import('node:async_hooks');
  const { EventEmitter } = process.getBuiltinModule('node:events') as typeof import('node:events');
  const storage = new AsyncLocalStorage<Context>();
  const active = () => storage.getStore() ?? ROOT_CONTEXT;
  const run = <A extends unknown[], R>(context: Context, fn: (...args: A) => R, thisArg?: ThisParameterType<typeof fn>, ...args: A): R =>
    storage.run(context, thisArg == null ? fn : fn.bind(thisArg), ...args);

  const bindFunction = (context: Context, target: Listener): Listener => {
    const wrapper = function (this: unknown, ...args: unknown[]) {
      return run(context, () => target.apply(this, args));
    };
    Object.defineProperty(wrapper, 'length', { enumerable: false, configurable: true, writable: false, value: target.length });
    return wrapper;
  };
  const patching: Patching = {
    key: Symbol('OtListeners'),
    adding: false,
    bind(context, target) {
      if (target instanceof EventEmitter) return bindEmitter(patching, context, target as unknown as Emitter) as typeof target;
      if (typeof target === 'function') return bindFunction(context, target as Listener) as typeof target;
      return target;
    },
  };

  const manager: ContextManager = {
    active,
    with: run,
    bind: patching.bind,
    enable: () => manager,
    disable() {
      storage.disable();
      return manager;
    },
    attach(context: Context): ContextManagementToken {
      const withScope = (storage as { withScope?: (c: Context) => ContextManagementToken }).withScope;
      if (withScope) return withScope.call(storage, context);
      const previous = active();
      storage.enterWith(context);
      let disposed = false;
      return {
        dispose() {
          if (disposed) return;
          storage.enterWith(previous);
          disposed = true;
        },
      };
    },
  };
  return manager;
}

const createMap = (p: Patching, ee: Emitter): PatchMap => {
  const map: PatchMap = Object.create(null);
  ee[p.key] = map;
  return map;
};
const getMap = (p: Patching, ee: Emitter) => ee[p.key] as PatchMap | undefined;

/** Every listener added from now on runs in `context`; removing by the original listener still works. */
function bindEmitter(p: Patching, context: Context, ee: Emitter): Emitter {
  if (getMap(p, ee) !== undefined) return ee;
  createMap(p, ee);
  for (const name of ADD_LISTENER_METHODS) {
    const original = ee[name] as Method | undefined;
    if (original === undefined) continue;
    ee[name] = function (this: unknown, event: unknown, listener: unknown) {
      if (p.adding) return original.call(this, event, listener);
      const map = getMap(p, ee) ?? createMap(p, ee);
      const listeners = (map[event as string | symbol] ??= new WeakMap());
      const patched = p.bind(context, listener) as Listener;
      listeners.set(listener as Listener, patched);
      p.adding = true;
      try {
        return original.call(this, event, patched);
      } finally {
        p.adding = false;
      }
    };
  }
  for (const name of ['removeListener', 'off']) {
    const original = ee[name];
    if (typeof original !== 'function') continue;
    ee[name] = function (this: unknown, event: unknown, listener: unknown) {
      const listeners = getMap(p, ee)?.[event as string | symbol];
      if (listeners === undefined) return original.call(this, event, listener);
      return original.call(this, event, listeners.get(listener as Listener) || listener);
    };
  }
  const removeAll = ee.removeAllListeners;
  if (typeof removeAll === 'function') {
    ee.removeAllListeners = function (this: unknown, ...args: unknown[]) {
      const map = getMap(p, ee);
      if (map !== undefined) {
        if (args.length === 0) createMap(p, ee);
        else if (map[args[0] as string | symbol] !== undefined) delete map[args[0] as string | symbol];
      }
      return removeAll.apply(this, args);
    };
  }
  return ee;
}
