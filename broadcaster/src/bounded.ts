/** Resolves with what `promise` resolves to, or with `fallback` when it rejects or takes longer than `ms`. */
export function valueWithin<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
    const done = (value: T): void => {
      clearTimeout(timer);
      resolve(value);
    };
    promise.then(done, () => done(fallback));
  });
}

/** Resolves when `promise` settles (either way) or after `ms`, whichever comes first. */
export function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return valueWithin(
    promise.then(() => undefined),
    ms,
    undefined,
  );
}
