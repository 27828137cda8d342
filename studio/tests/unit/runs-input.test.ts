import { describe, expect, it } from 'vitest';
import { batchEnds, guessInput } from '../../src/runs/inputGuess';

const scope = { inputs: { zone: 'eu-1', hosts: ['a', 'b'], n: 3 }, steps: { fetch: { output: { list: [1, 2] } } } };

describe('guessing a node input from its mapping', () => {
  it('reads plain paths, keeping the JSON type of a whole expression', () => {
    expect(
      guessInput({ target: '${inputs.zone}', hosts: '${inputs.hosts}', first: '${steps.fetch.output.list[0]}', text: 'zone ${inputs.zone} n=${inputs.n}', k: 1 }, scope),
    ).toEqual({ value: { target: 'eu-1', hosts: ['a', 'b'], first: 1, text: 'zone eu-1 n=3', k: 1 }, complete: true });
  });
  it('leaves real expressions and missing paths as written, and says so', () => {
    expect(guessInput({ x: '${inputs.n + 1}', y: '${inputs.zone}' }, scope)).toEqual({
      value: { x: '${inputs.n + 1}', y: 'eu-1' },
      complete: false,
    });
    expect(guessInput({ x: 'at ${inputs.nope}' }, scope)).toEqual({ value: { x: 'at ${inputs.nope}' }, complete: false });
  });
});

describe('batch ends', () => {
  it('counts like the engine: cumulative, rounded up, never shrinking', () => {
    expect(batchEnds([1, '50%', '100%'], 10)).toEqual([1, 5, 10]);
    expect(batchEnds(['10%', 1, '100%'], 4)).toEqual([1, 1, 4]);
    expect(batchEnds([20], 5)).toEqual([5]);
  });
});
