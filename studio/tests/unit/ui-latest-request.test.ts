import { describe, expect, it } from 'vitest';
import { latestRequests } from '../../src/ui/useLatestRequest';

/** A request whose answer arrives when the test says so. */
function pending<T>() {
  let answer!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (answer = resolve));
  return { promise, answer };
}

describe('only the latest request is answered', () => {
  it('drops an older answer that arrives after a newer one', async () => {
    const requests = latestRequests();
    let shown: string | null = null;
    // As the runs list does: begin, ask, and show the answer only if still the latest.
    const load = async (answer: Promise<string>) => {
      const isLatest = requests.begin();
      const value = await answer;
      if (isLatest()) shown = value;
    };
    const previousFilter = pending<string>();
    const currentFilter = pending<string>();
    const first = load(previousFilter.promise);
    const second = load(currentFilter.promise);
    currentFilter.answer('runs of the current filter');
    await second;
    previousFilter.answer('runs of the previous filter');
    await first;
    expect(shown).toBe('runs of the current filter');
  });

  it('holds for a request until another begins, each tracker on its own', () => {
    const requests = latestRequests();
    const other = latestRequests();
    const first = requests.begin();
    expect(first()).toBe(true);
    other.begin();
    expect(first()).toBe(true);
    const second = requests.begin();
    expect(first()).toBe(false);
    expect(second()).toBe(true);
  });
});
