/**
 * Watches the allocations the fuzz target makes whose size code chooses at run time: typed
 * arrays, ArrayBuffers, Buffer.alloc*, `new Array(n)` and the string padders. A length field read
 * from a capture that reached one of these would show as an allocation out of proportion to the
 * input; the guard records the largest one of an execution and the stack of the first one over
 * the execution's limit, so the fuzzer can report where it was made.
 *
 * It works by replacing the global constructors with proxies that only look at the size and
 * then construct the real thing (`instanceof` and species still see the originals), so it is
 * installed only in fuzzing processes, never by the library. An allocation past HARD_STOP is
 * refused with a RangeError (it would end the process before the fuzzer could report it).
 */

/** Larger than any single allocation a capture can justify; refusing it keeps the fuzzer alive. */
const HARD_STOP = 512 * 1024 * 1024;

interface GuardState {
  limit: number;
  largest: number;
  total: number;
  offender: Error | undefined;
  active: boolean;
}

const state: GuardState = {
  limit: Infinity,
  largest: 0,
  total: 0,
  offender: undefined,
  active: false,
};

function note(bytes: number, what: string): void {
  if (!state.active || !(bytes > 0)) return;
  state.total += bytes;
  if (bytes > state.largest) state.largest = bytes;
  if (bytes > state.limit && state.offender === undefined) {
    state.offender = new Error(`${what} of ${bytes} bytes (limit ${state.limit})`);
  }
  if (bytes > HARD_STOP) throw new RangeError(`fuzz allocation guard: ${what} of ${bytes} bytes`);
}

/** Bytes a typed-array constructor call allocates (0 when it only views an existing buffer). */
function typedArrayBytes(args: readonly unknown[], bytesPerElement: number): number {
  const first = args[0];
  if (typeof first === "number") return first * bytesPerElement;
  if (first instanceof ArrayBuffer || first instanceof SharedArrayBuffer) return 0;
  if (typeof first === "object" && first !== null && "length" in first) {
    const length = (first as { length: unknown }).length;
    return typeof length === "number" ? length * bytesPerElement : 0;
  }
  return 0;
}

const TYPED_ARRAYS = [
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
] as const;

let installed = false;

/** Replaces the global allocators with watching proxies (once per process). */
export function installAllocationGuard(): void {
  if (installed) return;
  installed = true;
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of TYPED_ARRAYS) {
    const ctor = g[name] as { new (...a: unknown[]): unknown; BYTES_PER_ELEMENT: number };
    const bpe = ctor.BYTES_PER_ELEMENT;
    g[name] = new Proxy(ctor, {
      construct(target, args, newTarget) {
        note(typedArrayBytes(args, bpe), `new ${name}`);
        return Reflect.construct(target, args, newTarget === g[name] ? target : newTarget);
      },
    });
  }
  const arrayBuffer = ArrayBuffer;
  g.ArrayBuffer = new Proxy(arrayBuffer, {
    construct(target, args, newTarget) {
      note(typeof args[0] === "number" ? args[0] : 0, "new ArrayBuffer");
      return Reflect.construct(target, args, newTarget === g.ArrayBuffer ? target : newTarget);
    },
  });
  const array = Array;
  const arrayLength = (args: readonly unknown[]): number =>
    args.length === 1 && typeof args[0] === "number" ? args[0] * 8 : 0;
  g.Array = new Proxy(array, {
    construct(target, args, newTarget) {
      note(arrayLength(args), "new Array");
      return Reflect.construct(target, args, newTarget === g.Array ? target : newTarget);
    },
    apply(target, thisArg, args) {
      note(arrayLength(args), "Array()");
      return Reflect.apply(target, thisArg, args);
    },
  });
  for (const method of ["alloc", "allocUnsafe", "allocUnsafeSlow"] as const) {
    const original = Buffer[method] as (size: number, ...rest: unknown[]) => Buffer;
    (Buffer as unknown as Record<string, unknown>)[method] = function (
      this: unknown,
      size: number,
      ...rest: unknown[]
    ): Buffer {
      note(size, `Buffer.${method}`);
      return original.call(this, size, ...rest);
    };
  }
  const proto = String.prototype as unknown as Record<string, (...a: unknown[]) => string>;
  const repeat = proto.repeat as (this: string, n: number) => string;
  proto.repeat = function (this: string, n: unknown): string {
    note(this.length * Number(n) * 2, "String.prototype.repeat");
    return repeat.call(this, n as number);
  };
  for (const method of ["padStart", "padEnd"] as const) {
    const original = proto[method] as (this: string, n: number, fill?: string) => string;
    proto[method] = function (this: string, n: unknown, fill?: unknown): string {
      note(Number(n) * 2, `String.prototype.${method}`);
      return original.call(this, n as number, fill as string | undefined);
    };
  }
}

/** Starts watching one execution: allocations above `limit` bytes are offences. */
export function beginWatch(limit: number): void {
  state.limit = limit;
  state.largest = 0;
  state.total = 0;
  state.offender = undefined;
  state.active = true;
}

export interface WatchResult {
  /** The largest single allocation seen, in bytes. */
  readonly largest: number;
  /** All the bytes allocated (as far as the guard sees). */
  readonly total: number;
  /** The first allocation over the limit, with the stack that made it. */
  readonly offender: Error | undefined;
}

export function endWatch(): WatchResult {
  state.active = false;
  return { largest: state.largest, total: state.total, offender: state.offender };
}
