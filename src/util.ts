/**
 * The few type guards every room reads untrusted input with (events, SDK responses, stream chunks): said once,
 * so an array is never taken for an object in one place and accepted in another.
 */
export type Obj = Record<string, unknown>;

/** A plain object: not null, not an array. */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Obj | undefined => (isObj(v) ? v : undefined);
/** A non-empty string. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
/** `table[key]` only when the table itself has it: `constructor` or `toString` from a response is no entry. */
export const own = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);
/** A finite number. */
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
