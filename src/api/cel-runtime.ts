// What the CEL rules compiled ahead of time (cel-rules.generated.ts, from scripts/gen-cel-rules.ts)
// call: CEL's semantics for the part of the language the rules use. `render` checks documents with
// these instead of loading a CEL interpreter (a fifth of its start). An error (a field that is not
// there, a value of the wrong type) is thrown, and fails the rule, as with cel-js; `||` and `&&`
// ignore an error in one side when the other decides, as CEL does.
import { QUANTITY_PATTERN } from './string-rules.ts';
import { durationToSeconds, quantityToBytes } from '../render/units.ts';

type Value = unknown;

const isObject = (value: Value): value is Record<string, Value> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `object.name`: an error when the field is not there. */
export function field(object: Value, name: string): Value {
  if (!isObject(object) || !Object.hasOwn(object, name)) throw new Error(`no such key: ${name}`);
  return object[name];
}

/** `has(object.name)`. */
export function has(object: Value, name: string): boolean {
  if (!isObject(object)) throw new Error(`has() of a field of a non-map`);
  return Object.hasOwn(object, name);
}

function bool(value: Value): boolean {
  if (typeof value !== 'boolean') throw new Error(`expected a bool, got ${typeof value}`);
  return value;
}

/** Runs one side of `||` or `&&`: its value, or the error it threw. */
function side(run: () => Value): { value?: boolean; error?: unknown } {
  try {
    return { value: bool(run()) };
  } catch (error) {
    return { error };
  }
}

export function or(left: () => Value, right: () => Value): boolean {
  const a = side(left);
  if (a.value === true) return true;
  const b = side(right);
  if (b.value === true) return true;
  if ('error' in a) throw a.error;
  if ('error' in b) throw b.error;
  return false;
}

export function and(left: () => Value, right: () => Value): boolean {
  const a = side(left);
  if (a.value === false) return false;
  const b = side(right);
  if (b.value === false) return false;
  if ('error' in a) throw a.error;
  if ('error' in b) throw b.error;
  return true;
}

export const not = (value: Value): boolean => !bool(value);

/** The condition of `c ? a : b`. */
export const condition = (value: Value): boolean => bool(value);

const isNumber = (value: Value): value is number | bigint =>
  typeof value === 'number' || typeof value === 'bigint';

/** `==`: numbers of either kind by value; values of different types are not equal (as cel-js has it). */
export function eq(a: Value, b: Value): boolean {
  if (isNumber(a) && isNumber(b)) return Number(a) === Number(b);
  if (typeof a !== typeof b) return false;
  if (!['string', 'boolean'].includes(typeof a))
    throw new Error(`no such overload: ${typeof a} == ${typeof b}`);
  return a === b;
}

/** `<`, `<=`, `>`, `>=`: the sign of a - b, for two numbers (durations and quantities are numbers here). */
export function compare(a: Value, b: Value): number {
  if (!isNumber(a) || !isNumber(b)) throw new Error(`no such overload: ${typeof a} < ${typeof b}`);
  return Math.sign(Number(a) - Number(b));
}

export function inList(value: Value, list: Value[]): boolean {
  return list.some((item) => eq(value, item));
}

const DURATION = /^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|\u00b5s|ms|s|m|h))+$/;

/** `duration(string)`, as seconds. */
export function duration(text: Value): number {
  if (typeof text !== 'string' || !DURATION.test(text)) throw new Error(`invalid duration ${String(text)}`);
  return durationToSeconds(text);
}

const QUANTITY = new RegExp(QUANTITY_PATTERN);

/** Kubernetes' `quantity(string)`, as bytes; `.compareTo(other)` is then `compare`. */
export function quantity(text: Value): number {
  if (typeof text !== 'string' || !QUANTITY.test(text)) throw new Error(`invalid quantity ${String(text)}`);
  return quantityToBytes(text);
}
