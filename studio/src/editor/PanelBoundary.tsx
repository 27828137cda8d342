// Keeps a failure inside one panel (say, a plugin schema the form generator
// cannot read) from blanking the whole editor: the panel says so instead.
import { Component, type ReactNode } from 'react';

export class PanelBoundary extends Component<{ fallback: (error: Error) => ReactNode; children: ReactNode; resetKey: string }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  render() {
    return this.state.error ? this.props.fallback(this.state.error) : this.props.children;
  }
}
