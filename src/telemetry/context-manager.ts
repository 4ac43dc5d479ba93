import { ROOT_CONTEXT, type Context, type ContextManagementToken, type ContextManager } from '@opentelemetry/api';

type Listener = (...args: unknown[]) => unknown;
type Method = (this: unknown, ...args: unknown[]) => unknown;
type Emitter = Record<string | symbol, unknown>;
type PatchMap = Record<string | symbol, WeakMap<Listener, Listener> | undefined>;

const ADD_LISTENER_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'];

/**
 * `@opentelemetry/context-async-hooks`' AsyncLocalStorageContextManager, method for method (`with`, `bind` of a
 * function or an EventEmitter's listeners, `attach` with its dispose-once token, `disable`), as closures a minifier
 * can shorten and with `node:async_hooks`/`node:events` taken from `process.getBuiltinModule` rather than static
 * ES imports: about a third of its bundle bytes.
 */
export function asyncLocalStorageContextManager(): ContextManager {
  const { AsyncLocalStorage } = process.getBuiltinModule('node:async_hooks') as typeof import('node:async_hooks');
  const { EventEmitter } = process.getBuiltinModule('node:events') as typeof import('node:events');
  const storage = new AsyncLocalStorage<Context>();
  const kListeners = Symbol('OtListeners');
  let wrapping = false;

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

  const createMap = (ee: Emitter): PatchMap => {
    const map: PatchMap = Object.create(null);
    ee[kListeners] = map;
    return map;
  };
  const getMap = (ee: Emitter) => ee[kListeners] as PatchMap | undefined;

  const patchAdd = (ee: Emitter, original: Method, context: Context): Method =>
    function (this: unknown, event, listener) {
      if (wrapping) return original.call(this, event, listener);
      const map = getMap(ee) ?? createMap(ee);
      const key = event as string | symbol;
      const listeners = (map[key] ??= new WeakMap());
      const patched = bind(context, listener) as Listener;
      listeners.set(listener as Listener, patched);
      wrapping = true;
      try {
        return original.call(this, event, patched);
      } finally {
        wrapping = false;
      }
    };

  const patchRemove = (ee: Emitter, original: Method): Method =>
    function (this: unknown, event, listener) {
      const listeners = getMap(ee)?.[event as string | symbol];
      if (listeners === undefined) return original.call(this, event, listener);
      return original.call(this, event, listeners.get(listener as Listener) || listener);
    };

  const patchRemoveAll = (ee: Emitter, original: Method): Method =>
    function (this: unknown, ...args) {
      const map = getMap(ee);
      if (map !== undefined) {
        if (args.length === 0) createMap(ee);
        else if (map[args[0] as string | symbol] !== undefined) delete map[args[0] as string | symbol];
      }
      return original.apply(this, args);
    };

  const bindEmitter = (context: Context, ee: Emitter) => {
    if (getMap(ee) !== undefined) return ee;
    createMap(ee);
    for (const name of ADD_LISTENER_METHODS) {
      if (ee[name] !== undefined) ee[name] = patchAdd(ee, ee[name] as Method, context);
    }
    for (const name of ['removeListener', 'off']) {
      if (typeof ee[name] === 'function') ee[name] = patchRemove(ee, ee[name] as Method);
    }
    if (typeof ee.removeAllListeners === 'function') ee.removeAllListeners = patchRemoveAll(ee, ee.removeAllListeners as Method);
    return ee;
  };

  const bind = <T>(context: Context, target: T): T => {
    if (target instanceof EventEmitter) return bindEmitter(context, target as unknown as Emitter) as T;
    if (typeof target === 'function') return bindFunction(context, target as Listener) as T;
    return target;
  };

  const manager: ContextManager = {
    active,
    with: run,
    bind,
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
