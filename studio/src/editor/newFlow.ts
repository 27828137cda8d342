/** The document a new flow starts from: a start joined to an end, both placed. */
export function newFlowDocument(name: string) {
  return {
    name,
    inputs: { type: 'object', properties: {} },
    nodes: [
      { id: 'start', kind: 'start', ui: { x: 0, y: 0 } },
      { id: 'end', kind: 'end', ui: { x: 0, y: 200 } },
    ],
    edges: [{ from: 'start', to: 'end' }],
  };
}
