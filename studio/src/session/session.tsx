// Who is logged in, the tenants they belong to and what their role there
// may do — the server answers `may` from its own Cedar policies, so the
// studio offers exactly what the API would allow.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useParams } from 'react-router-dom';
import { api, ApiFailure, ok, setCsrfToken, type Schemas } from '../api/client';

export type Session = Schemas['Session'];
export type TenantStanding = Session['tenants'][number];

interface SessionState {
  session: Session | null;
  loading: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(true);

  const adopt = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrf ?? null);
    setSession(next);
  }, []);

  // The login form is usable while the initial check is under way: once a
  // login or logout has answered, a later answer to the check (a 401 from
  // before the login, say) must not undo it.
  const decided = useRef(false);
  const decide = useCallback(
    (next: Session | null) => {
      decided.current = true;
      adopt(next);
    },
    [adopt],
  );

  useEffect(() => {
    ok(api.GET('/api/v1/auth/session'))
      .catch(() => null)
      .then((checked) => decided.current || adopt(checked))
      .finally(() => setLoading(false));
  }, [adopt]);

  const login = useCallback(
    async (username: string, password: string) => {
      decide(await ok(api.POST('/api/v1/auth/session', { body: { username, password } })));
    },
    [decide],
  );

  const logout = useCallback(async () => {
    try {
      await ok(api.DELETE('/api/v1/auth/session'));
    } catch (failure) {
      if (!(failure instanceof ApiFailure) || failure.status !== 401) throw failure;
    }
    decide(null);
  }, [decide]);

  const value = useMemo(() => ({ session, loading, login, logout }), [session, loading, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The tenant of the current page and what the caller may do in it. */
export function useTenant(): { name: string; role: string; may: (action: string) => boolean } {
  const { tenant = '' } = useParams();
  const { session } = useSession();
  const standing = session?.tenants.find((t) => t.name === tenant);
  const may = useCallback((action: string) => (standing?.may as string[] | undefined)?.includes(action) ?? false, [standing]);
  return { name: tenant, role: standing?.role ?? '', may };
}
