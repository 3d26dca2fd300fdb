import { Navigate, type RouteObject } from "react-router";
import { GuestOnly, RequireAuth } from "./features/auth/guards";
import { LoginPage } from "./features/auth/LoginPage";
import { RegisterPage } from "./features/auth/RegisterPage";
import { InvitePage } from "./features/auth/InvitePage";
import { AppShell } from "./features/shell/AppShell";
import { OverviewPage } from "./features/overview/OverviewPage";
import { BroadcastsListPage } from "./features/broadcasts/BroadcastsListPage";
import { BroadcastWizardPage } from "./features/broadcasts/BroadcastWizardPage";
import { BroadcastPage } from "./features/broadcasts/BroadcastPage";
import { ContactsPage } from "./features/contacts/ContactsPage";
import { ImportWizardPage } from "./features/contacts/ImportWizardPage";
import { ContactPage } from "./features/contacts/ContactPage";
import { InboxPage } from "./features/inbox/InboxPage";
import { FlowsListPage } from "./features/flows/FlowsListPage";
import { FlowBuilderRoute } from "./features/flows/FlowBuilderRoute";
import { NotFoundPage } from "./features/placeholders/NotFoundPage";
import { SimulatorPage } from "./features/simulator/SimulatorPage";
import { SettingsLayout } from "./features/settings/SettingsLayout";
import { WhatsAppSettingsPage } from "./features/settings/whatsapp/WhatsAppSettingsPage";
import { MembersSettingsPage } from "./features/settings/members/MembersSettingsPage";
import { ApiKeysSettingsPage } from "./features/settings/apikeys/ApiKeysSettingsPage";
import { CannedResponsesSettingsPage } from "./features/settings/canned/CannedResponsesSettingsPage";
import { TemplatesSettingsPage } from "./features/settings/templates/TemplatesSettingsPage";
import { AuditLogSettingsPage } from "./features/settings/audit/AuditLogSettingsPage";
import { ContactsSettingsPage } from "./features/settings/contacts/ContactsSettingsPage";

export const routes: RouteObject[] = [
  {
    element: <GuestOnly />,
    children: [
      { path: "/login", element: <LoginPage /> },
      { path: "/register", element: <RegisterPage /> },
    ],
  },
  { path: "/invite/:token", element: <InvitePage /> },
  {
    element: <RequireAuth />,
    children: [
      // Full-screen builder, outside the shell.
      { path: "flows/:flowId", element: <FlowBuilderRoute /> },
      {
        element: <AppShell />,
        children: [
          { index: true, element: <OverviewPage /> },
          { path: "flows", element: <FlowsListPage /> },
          { path: "inbox/:contactId?", element: <InboxPage /> },
          { path: "simulator", element: <SimulatorPage /> },
          { path: "contacts", element: <ContactsPage /> },
          { path: "contacts/import", element: <ImportWizardPage /> },
          { path: "contacts/:contactId", element: <ContactPage /> },
          { path: "broadcasts", element: <BroadcastsListPage /> },
          { path: "broadcasts/new", element: <BroadcastWizardPage /> },
          { path: "broadcasts/:broadcastId", element: <BroadcastPage /> },
          { path: "broadcasts/:broadcastId/edit", element: <BroadcastWizardPage /> },
          {
            path: "settings",
            element: <SettingsLayout />,
            children: [
              { index: true, element: <Navigate to="whatsapp" replace /> },
              { path: "whatsapp", element: <WhatsAppSettingsPage /> },
              { path: "members", element: <MembersSettingsPage /> },
              { path: "api-keys", element: <ApiKeysSettingsPage /> },
              { path: "canned-responses", element: <CannedResponsesSettingsPage /> },
              { path: "templates", element: <TemplatesSettingsPage /> },
              { path: "audit-log", element: <AuditLogSettingsPage /> },
              { path: "contacts", element: <ContactsSettingsPage /> },
              { path: "*", element: <NotFoundPage /> },
            ],
          },
          { path: "*", element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
