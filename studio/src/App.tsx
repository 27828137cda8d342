import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { SessionProvider, useSession } from './session/session';
import { Shell } from './shell/Shell';
import { LoginPage } from './pages/LoginPage';
import { FlowsPage } from './pages/FlowsPage';
import { NotFound } from './pages/NotFound';

// The heavy pages (canvas, editors, forms) load when first opened.
const EditorPage = lazy(() => import('./editor/EditorPage'));
const DiffPage = lazy(() => import('./editor/DiffPage'));
const RunsPage = lazy(() => import('./runs/RunsPage'));
const RunPage = lazy(() => import('./runs/RunPage'));
const StartRunPage = lazy(() => import('./runs/StartRunPage'));
const AdminPage = lazy(() => import('./admin/AdminPage'));
const AcceptInvitationPage = lazy(() => import('./admin/invitations/AcceptInvitationPage'));
const MarketPage = lazy(() => import('./market/MarketPage'));
const LightListPage = lazy(() => import('./light/LightListPage'));
const LightAppPage = lazy(() => import('./light/LightAppPage'));

function RequireSession({ children }: { children: React.ReactNode }) {
  const { session, loading } = useSession();
  const location = useLocation();
  const { t } = useTranslation();
  if (loading) return <p className="page">{t('state.loading')}</p>;
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}

function Home() {
  const { session } = useSession();
  const { t } = useTranslation();
  const first = session?.tenants[0];
  if (!first) return <p className="page">{t('session.noTenant')}</p>;
  // A member who may only use light apps (`app_user`) lands on them, not in the studio.
  if (!(first.may as string[]).includes('read')) return <Navigate to={`/light/${encodeURIComponent(first.name)}`} replace />;
  return <Navigate to={`/t/${first.name}/flows`} replace />;
}

function Loading() {
  const { t } = useTranslation();
  return <p>{t('state.loading')}</p>;
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/join/:code" element={<Suspense fallback={<Loading />}><AcceptInvitationPage /></Suspense>} />
          <Route
            path="/"
            element={
              <RequireSession>
                <Home />
              </RequireSession>
            }
          />
          <Route
            path="/light/:tenant"
            element={
              <RequireSession>
                <Suspense fallback={<Loading />}>
                  <LightListPage />
                </Suspense>
              </RequireSession>
            }
          />
          <Route
            path="/light/:tenant/:flow"
            element={
              <RequireSession>
                <Suspense fallback={<Loading />}>
                  <LightAppPage />
                </Suspense>
              </RequireSession>
            }
          />
          <Route
            path="/t/:tenant"
            element={
              <RequireSession>
                <Shell />
              </RequireSession>
            }
          >
            <Route index element={<Navigate to="flows" replace />} />
            <Route path="flows" element={<FlowsPage />} />
            <Route path="flows/:name" element={<Suspense fallback={<Loading />}><EditorPage /></Suspense>} />
            <Route path="flows/:name/diff" element={<Suspense fallback={<Loading />}><DiffPage /></Suspense>} />
            <Route path="flows/:name/run" element={<Suspense fallback={<Loading />}><StartRunPage /></Suspense>} />
            <Route path="runs" element={<Suspense fallback={<Loading />}><RunsPage /></Suspense>} />
            <Route path="runs/:id" element={<Suspense fallback={<Loading />}><RunPage /></Suspense>} />
            <Route path="admin/*" element={<Suspense fallback={<Loading />}><AdminPage /></Suspense>} />
            <Route path="market/*" element={<Suspense fallback={<Loading />}><MarketPage /></Suspense>} />
            <Route path="*" element={<NotFound />} />
          </Route>
          <Route path="*" element={<NotFound />} />
        </Routes>
      </SessionProvider>
    </BrowserRouter>
  );
}
