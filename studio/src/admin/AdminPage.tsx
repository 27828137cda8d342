// The tenant's administration: a sub-navigation over the pages the
// caller's role may use, each its own nested route.
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Route, Routes } from 'react-router-dom';
import { useTenant } from '../session/session';
import { offeredSections } from './sections';
import { MembersPage } from './members/MembersPage';
import { InvitationsPage } from './invitations/InvitationsPage';
import { TokensPage } from './tokens/TokensPage';
import { GrantsPage } from './grants/GrantsPage';
import { SecretsPage } from './secrets/SecretsPage';
import { ChannelsPage } from './channels/ChannelsPage';
import { HostsPage } from './hosts/HostsPage';
import { AgentsPage } from './agents/AgentsPage';
import { FilesPage } from './files/FilesPage';
import { PluginsPage } from './plugins/PluginsPage';
import { PluginPage } from './plugins/PluginPage';
import { WebhooksPage } from './webhooks/WebhooksPage';
import { SchedulesPage } from './schedules/SchedulesPage';
import { AuditPage } from './audit/AuditPage';
import './admin.css';

const PAGES: Record<string, () => React.JSX.Element> = {
  members: MembersPage,
  invitations: InvitationsPage,
  tokens: TokensPage,
  grants: GrantsPage,
  secrets: SecretsPage,
  channels: ChannelsPage,
  hosts: HostsPage,
  agents: AgentsPage,
  files: FilesPage,
  plugins: PluginsPage,
  webhooks: WebhooksPage,
  schedules: SchedulesPage,
  audit: AuditPage,
};

function Forbidden() {
  const { t } = useTranslation();
  return (
    <p className="error-note" role="alert">
      {t('errors.forbidden')}
    </p>
  );
}

export default function AdminPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const sections = offeredSections(tenant.may);
  const first = sections[0];
  // Absolute: links inside a splat route (`admin/*`) would otherwise resolve against the whole URL.
  const base = `/t/${tenant.name}/admin`;
  return (
    <div className="admin">
      <h1>{t('title')}</h1>
      <nav aria-label={t('nav.label')} className="admin-nav">
        {sections.map((section) => (
          <NavLink key={section.path} to={`${base}/${section.path}`}>
            {t(`nav.${section.path}`)}
          </NavLink>
        ))}
      </nav>
      <div className="admin-body">
        <Routes>
          <Route index element={first ? <Navigate to={`${base}/${first.path}`} replace /> : <Forbidden />} />
          {sections.map((section) => {
            const Page = PAGES[section.path]!;
            return <Route key={section.path} path={section.path} element={<Page />} />;
          })}
          {tenant.may('read') ? <Route path="plugins/:plugin" element={<PluginPage />} /> : null}
          <Route path="*" element={<Forbidden />} />
        </Routes>
      </div>
    </div>
  );
}
