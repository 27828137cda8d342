import { describe, expect, it } from 'vitest';
import { agentCommand } from '../../src/admin/agents/agentCommand';

describe('the command shown with a new enrolment token', () => {
  it('gives the token in the environment, then the server and the labels in key order', () => {
    expect(agentCommand('http://127.0.0.1:8080', 'scena_abc', { zone: 'eu-1', role: 'game' })).toBe(
      'SCENA_ENROLMENT_TOKEN=scena_abc scena agent --server http://127.0.0.1:8080 --labels role=game,zone=eu-1',
    );
  });

  it('leaves the labels out when there are none', () => {
    expect(agentCommand('https://scena.example.com', 't', {})).toBe(
      'SCENA_ENROLMENT_TOKEN=t scena agent --server https://scena.example.com',
    );
  });

  it('quotes what the shell would split or expand', () => {
    expect(agentCommand('http://h', 't', { team: "ops & o'neil" })).toBe(
      `SCENA_ENROLMENT_TOKEN=t scena agent --server http://h --labels 'team=ops & o'\\''neil'`,
    );
  });
});
