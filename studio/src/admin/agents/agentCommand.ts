// The command that runs an agent on a host with a fresh enrolment token: what
// the enrolment form shows beside the token, to copy onto the host. The token
// goes in the environment, where `ps` does not show it to the host's other users.

/** `SCENA_ENROLMENT_TOKEN=TOKEN scena agent --server ORIGIN [--labels k=v,…]`, each value shell-quoted. */
export function agentCommand(origin: string, token: string, labels: Record<string, string>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`);
  const words = [`SCENA_ENROLMENT_TOKEN=${quote(token)}`, 'scena', 'agent', '--server', quote(origin)];
  if (pairs.length > 0) words.push('--labels', quote(pairs.join(',')));
  return words.join(' ');
}

/** A word the shell takes as it is: left bare when it is plain, else in single quotes. */
function quote(word: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
