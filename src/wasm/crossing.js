// The JS half of the argument crossing (src/wasm/convert.rs): each function does one operation
// on a value the caller gave (a read that may run a getter, a Proxy trap or toJSON) and returns
// what happened as a value, { ok, value }, never throwing: a JS exception must not unwind
// through wasm frames. (wasm-bindgen's own `catch` imports would hand the exception to Rust as
// well, but one that returns a JS value leaks the table slot it allocated for the return value
// each time it throws: 0.2.130's generated shim returns the error before taking the slot back.)
// No decision is made here. The intrinsics are captured when the module loads.

const { get, ownKeys } = Reflect;
const { isArray } = Array;
const { stringify } = JSON;
const getTime = Date.prototype.getTime;
const now = Date.now;
const call = Function.prototype.call;
// The engine's typed-array brand: "Uint8Array" for a Uint8Array (a Buffer too), undefined for
// anything else (a Proxy of one included). It reads no property of the value and never throws.
const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;

const split = String.prototype.split;

const ok = (value) => ({ ok: true, value });
const failed = (value, key) => ({ ok: false, value, key });

/** `target[key]`, as jose's `options.issuer` reads it (the prototype chain, getters, traps). */
export function crossingGet(target, key) {
  try {
    return ok(get(target, key));
  } catch (e) {
    return failed(e);
  }
}

/**
 * `target[key]` for each of the comma-separated `keys`, in order, in a fresh array (each getter
 * or trap runs once); when one throws, `key` says which. One crossing for all of a call's
 * options, which a verify reads every time.
 */
export function crossingGetAll(target, keys) {
  let key;
  try {
    const names = call.call(split, keys, ',');
    const values = [];
    for (let i = 0; i < names.length; i++) {
      key = names[i];
      values[i] = get(target, key);
    }
    return ok(values);
  } catch (e) {
    return failed(e, key);
  }
}

/** The own property names of an object, in a fresh array (a Proxy's trap runs once). */
export function crossingOwnKeys(target) {
  try {
    return ok(ownKeys(target));
  } catch (e) {
    return failed(e);
  }
}

/** Whether a value is an array (a Proxy of one too; a revoked Proxy throws). */
export function crossingIsArray(value) {
  try {
    return ok(isArray(value));
  } catch (e) {
    return failed(e);
  }
}

/** The time value of a real Date (a Proxy of one, or an object made from Date.prototype, throws). */
export function crossingDateTime(value) {
  try {
    return ok(call.call(getTime, value));
  } catch (e) {
    return failed(e);
  }
}

/** The wall clock, in milliseconds. */
export function crossingNow() {
  try {
    return ok(now());
  } catch (e) {
    return failed(e);
  }
}

/** JSON text of a value (toJSON methods and getters run once). */
export function crossingStringify(value) {
  try {
    return ok(stringify(value));
  } catch (e) {
    return failed(e);
  }
}

/**
 * A copy of a real Uint8Array's bytes, taken by its internal length, whatever its `length`
 * property says; `value` is undefined when it is not a Uint8Array, the exception when it is
 * detached.
 */
export function crossingBytes(value) {
  try {
    if (call.call(typedArrayName, value) !== 'Uint8Array') return failed(undefined);
    return ok(new Uint8Array(value));
  } catch (e) {
    return failed(e);
  }
}
