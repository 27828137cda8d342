import { useState } from 'react';

/**
 * Answers can arrive out of order: a slow answer to what was asked before
 * (another filter, the previous consent) must not replace the answer to what
 * is asked now. `begin()` before asking returns a check that holds until a
 * later request begins.
 */
export function latestRequests() {
  let latest = 0;
  return {
    begin(): () => boolean {
      const request = ++latest;
      return () => request === latest;
    },
  };
}

/** `latestRequests()` kept for the component's lifetime. */
export function useLatestRequest() {
  return useState(latestRequests)[0];
}
