/** Ends a wait at once instead of retrying until the deadline (a process died, a cluster was stopped). */
export class FatalWaitError extends Error {
  override readonly name: string = 'FatalWaitError';
}

/**
 * Poll-until with a deadline: the only way tests wait. Throws with the last observed value. A probe
 * that throws FatalWaitError ends the wait at once; other errors (an HTTP call during a fault) are
 * retried until the deadline.
 */
export async function waitFor<T>(
  what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      if (err instanceof FatalWaitError) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
