import { describe, expect, it, vi } from "vitest";
import { retryTransient } from "./retry.js";

const serializationFailure = () => Object.assign(new Error("could not serialize access"), { code: "40001" });
const noSleep = () => Promise.resolve();

/** A function that fails with the given errors in turn, then returns "done". */
function failing(...errors: unknown[]) {
  return vi.fn(async (_attempt: number): Promise<string> => {
    const next = errors.shift();
    if (next !== undefined) throw next;
    return "done";
  });
}

describe("retryTransient", () => {
  it("retries a function failing twice with 40001, then returns its result", async () => {
    const fn = failing(serializationFailure(), serializationFailure());
    const waits: number[] = [];
    const result = await retryTransient(fn, { sleep: async (ms) => void waits.push(ms), random: () => 0.5, baseMs: 100 });
    expect(result).toBe("done");
    expect(fn).toHaveBeenCalledTimes(3);
    expect(fn.mock.calls.map((c) => c[0])).toEqual([1, 2, 3]);
    // Equal jitter: half the ceiling fixed, half random; the ceiling doubles per retry.
    expect(waits).toEqual([75, 150]);
  });

  it("does not retry an error that is not transient", async () => {
    const unique = Object.assign(new Error("duplicate key"), { code: "23505" });
    const fn = failing(unique);
    await expect(retryTransient(fn, { sleep: noSleep })).rejects.toBe(unique);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("gives up after `attempts` tries and throws the last error", async () => {
    const errors = [serializationFailure(), serializationFailure(), serializationFailure(), serializationFailure()];
    const last = errors[2];
    const fn = failing(...errors);
    const onRetry = vi.fn();
    await expect(retryTransient(fn, { attempts: 3, sleep: noSleep, onRetry })).rejects.toBe(last);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(onRetry).toHaveBeenCalledTimes(2);
  });

  it("keeps waits under maxMs", async () => {
    const waits: number[] = [];
    const fn = failing(...Array.from({ length: 6 }, serializationFailure));
    await retryTransient(fn, { attempts: 7, baseMs: 100, maxMs: 400, random: () => 0.999, sleep: async (ms) => void waits.push(ms) });
    expect(Math.max(...waits)).toBeLessThanOrEqual(400);
    expect(waits.at(-1)).toBe(400);
  });

  it("stops when the signal aborts during a wait, throwing the failure in hand", async () => {
    const controller = new AbortController();
    const first = serializationFailure();
    const fn = failing(first, serializationFailure());
    const sleep = async () => controller.abort();
    await expect(retryTransient(fn, { signal: controller.signal, sleep })).rejects.toBe(first);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("does not retry once the signal has aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const fn = failing(serializationFailure());
    const sleep = vi.fn(noSleep);
    await expect(retryTransient(fn, { signal: controller.signal, sleep })).rejects.toMatchObject({ code: "40001" });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it("waits on the system clock by default", async () => {
    const fn = failing(serializationFailure());
    await expect(retryTransient(fn, { baseMs: 2, random: () => 0 })).resolves.toBe("done");
    expect(fn).toHaveBeenCalledTimes(2);
  });
});
