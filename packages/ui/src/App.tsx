/** The page frame (menu, status badges) and the routes. On narrow screens the menu folds behind a button. */
import { NavLink, Navigate, Route, Routes } from "react-router";
import { useEngineStatus, useStatusCounts } from "./api/queries.ts";
import { UserMenu } from "./auth/UserMenu.tsx";
import { StatusBadge } from "./components/StatusBadge.tsx";
import { useFoldingNav } from "./components/useFoldingNav.ts";
import { LiveBadge } from "./live/LiveProvider.tsx";
import { MetadataPage } from "./pages/metadata/MetadataPage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { ProcessDetailPage } from "./pages/ProcessDetailPage.tsx";
import { ProcessesPage } from "./pages/ProcessesPage.tsx";
import { SettingsPage } from "./pages/SettingsPage.tsx";
import { SchedulesPage } from "./pages/SchedulesPage.tsx";
import { StartProcessPage } from "./pages/StartProcessPage.tsx";
import { StartPickerPage } from "./pages/StartPickerPage.tsx";
import { SubscriptionDetailPage } from "./pages/SubscriptionDetailPage.tsx";
import { SubscriptionsPage } from "./pages/SubscriptionsPage.tsx";

function FailedTasksBadge() {
  const { data } = useStatusCounts();
  const counts = data?.task_counts ?? {};
  const failed = (counts.failed ?? 0) + (counts.inconsistent_data ?? 0) + (counts.api_unavailable ?? 0);
  if (failed === 0) return null;
  return (
    <span className="badge tone-bad count" title={`${failed} failed tasks`}>
      {failed}
    </span>
  );
}

function EngineBadge() {
  const { data } = useEngineStatus();
  if (!data) return null;
  return (
    <NavLink to="/settings" className="engine-link" aria-label={`Engine ${data.global_status}`}>
      Engine <StatusBadge status={data.global_status} />
    </NavLink>
  );
}

export function App() {
  const nav = useFoldingNav("main-nav");
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-start">
          <button type="button" className="nav-toggle" {...nav.buttonProps}>
            <span aria-hidden="true">☰</span> Menu
          </button>
          <NavLink to="/" className="brand">
            Orchestrator
          </NavLink>
        </div>
        <div className="topbar-status">
          <EngineBadge />
          <LiveBadge />
          <UserMenu />
        </div>
      </header>
      <div className="layout">
        <nav className="sidebar" aria-label="Main" {...nav.navProps}>
          <ul>
            <li>
              <NavLink to="/subscriptions">Subscriptions</NavLink>
            </li>
            <li>
              <NavLink to="/workflows">Workflows</NavLink>
            </li>
            <li>
              <NavLink to="/tasks">
                Tasks <FailedTasksBadge />
              </NavLink>
            </li>
            <li>
              <NavLink to="/schedules">Scheduled tasks</NavLink>
            </li>
            <li>
              <NavLink to="/metadata">Metadata</NavLink>
            </li>
            <li>
              <NavLink to="/settings">Settings</NavLink>
            </li>
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <Routes>
            <Route path="/" element={<Navigate to="/subscriptions" replace />} />
            <Route path="/subscriptions" element={<SubscriptionsPage />} />
            <Route path="/subscriptions/:subscriptionId" element={<SubscriptionDetailPage />} />
            <Route path="/workflows" element={<ProcessesPage isTask={false} />} />
            <Route path="/workflows/new" element={<StartPickerPage isTask={false} />} />
            <Route path="/workflows/new/:workflowName" element={<StartProcessPage isTask={false} />} />
            <Route path="/workflows/:processId" element={<ProcessDetailPage isTask={false} />} />
            <Route path="/tasks" element={<ProcessesPage isTask />} />
            <Route path="/tasks/new" element={<StartPickerPage isTask />} />
            <Route path="/tasks/new/:workflowName" element={<StartProcessPage isTask />} />
            <Route path="/tasks/:processId" element={<ProcessDetailPage isTask />} />
            <Route path="/metadata" element={<Navigate to="/metadata/products" replace />} />
            <Route path="/metadata/:section" element={<MetadataPage />} />
            <Route path="/schedules" element={<SchedulesPage />} />
            <Route path="/settings" element={<SettingsPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </main>
      </div>
    </div>
  );
}
