/** Why a step did not finish; the kind tells the engine what to do next (see types.wit). */
export type StepErrorKind = 'invalid-input' | 'denied' | 'retryable' | 'fatal';

export class StepError extends Error {
  readonly kind: StepErrorKind;
  constructor(kind: StepErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = 'StepError';
  }
}

/** The input is unusable; retrying with the same input cannot help. */
export class InvalidInput extends StepError {
  constructor(message: string) {
    super('invalid-input', message);
    this.name = 'InvalidInput';
  }
}

/** An atom refused: the tenant has not granted what the step needs. */
export class Denied extends StepError {
  constructor(message: string) {
    super('denied', message);
    this.name = 'Denied';
  }
}

/** A transient failure (timeout, 503, lock held): the engine may retry. */
export class Retryable extends StepError {
  constructor(message: string) {
    super('retryable', message);
    this.name = 'Retryable';
  }
}

/** A permanent failure: do not retry. */
export class Fatal extends StepError {
  constructor(message: string) {
    super('fatal', message);
    this.name = 'Fatal';
  }
}

export type AtomErrorKind = 'denied' | 'invalid' | 'unavailable' | 'failed';

/**
 * Why an atom call failed. Left uncaught in `run`/`poll`, it ends the step as
 * the Rust SDK's `?` does: `denied` → denied, `failed` → retryable, the others → fatal.
 */
export class AtomError extends Error {
  readonly kind: AtomErrorKind;
  constructor(kind: AtomErrorKind, message: string) {
    super(`${kind}: ${message}`);
    this.kind = kind;
    this.name = 'AtomError';
    this.detail = message;
  }
  /** The message without the kind. */
  readonly detail: string;

  toStepError(): StepError {
    if (this.kind === 'denied') return new Denied(this.detail);
    if (this.kind === 'failed') return new Retryable(this.detail);
    return new Fatal(this.detail);
  }
}

const KINDS: readonly string[] = ['denied', 'invalid', 'unavailable', 'failed'];

/** Call a raw WIT import, turning its thrown `{ payload: { tag, val } }` into an `AtomError`. */
export function atomCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    const payload = (e as { payload?: { tag?: unknown; val?: unknown } } | null)?.payload;
    if (payload && typeof payload.tag === 'string' && KINDS.includes(payload.tag)) {
      throw new AtomError(payload.tag as AtomErrorKind, String(payload.val));
    }
    throw e;
  }
}
