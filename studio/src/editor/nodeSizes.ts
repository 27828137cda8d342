import type { NodeKind } from './flowTypes';

/** Width and height each kind is drawn at (the layout uses the same sizes). */
export const NODE_SIZE: Record<NodeKind, { width: number; height: number }> = {
  start: { width: 120, height: 48 },
  end: { width: 120, height: 48 },
  step: { width: 180, height: 64 },
  parallel: { width: 180, height: 40 },
  join: { width: 180, height: 40 },
  switch: { width: 150, height: 80 },
  approval: { width: 180, height: 64 },
  wait: { width: 150, height: 64 },
  foreach: { width: 180, height: 64 },
  batch: { width: 180, height: 64 },
  subflow: { width: 180, height: 64 },
};

