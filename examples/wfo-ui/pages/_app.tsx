/**
 * The host around the library's pages: the library needs its configuration, its redux store, a next-auth session
 * (empty while authentication is off), Elastic UI's theme, next-intl messages (the library's own, plus the form
 * labels the server sends from /api/translations/{locale}), URL query state and a page template with the menu.
 */
import { useState, type ReactElement, type ReactNode } from "react";
import type { AppContext, AppProps } from "next/app";
import NextApp from "next/app";
import Head from "next/head";
import { useRouter } from "next/router";
import { SessionProvider } from "next-auth/react";
import { IntlProvider } from "next-intl";
import { NextAdapter } from "next-query-params";
import { QueryParamProvider } from "use-query-params";
import { EuiProvider, type EuiThemeColorMode } from "@elastic/eui";
import {
  ColorModes,
  ConfirmationDialogContextWrapper,
  OrchestratorConfigProvider,
  StoreProvider,
  WfoAuth,
  WfoErrorBoundary,
  WfoPageTemplate,
  WfoToastsList,
  useGetTranslationMessages,
  wfoThemeModifications,
  type OrchestratorConfig,
} from "@orchestrator-ui/orchestrator-ui-components";
import { orchestratorConfigFromEnv } from "../config";

type HostProps = AppProps<{ orchestratorConfig?: OrchestratorConfig; session?: null }>;

function Messages({ children }: { children: ReactNode }) {
  const { locale = "en-GB" } = useRouter();
  const messages = useGetTranslationMessages(locale);
  // form fields without a label in any catalogue are expected: the forms fall back to the field's title
  return (
    <IntlProvider locale={locale} messages={messages} onError={() => undefined}>
      {children}
    </IntlProvider>
  );
}

const logo = (height: number): ReactElement => (
  <span style={{ fontWeight: 700, lineHeight: `${height}px`, paddingLeft: 12 }}>orchestrator-ts</span>
);

export default function WfoHost({ Component, pageProps }: HostProps) {
  // the configuration comes with the first (server-rendered) page; client-side navigations keep it
  const [config] = useState(pageProps.orchestratorConfig);
  const [colorMode, setColorMode] = useState<EuiThemeColorMode>(ColorModes.LIGHT);
  if (!config) return <p>No orchestrator configuration: reload the page.</p>;
  return (
    <WfoErrorBoundary>
      <OrchestratorConfigProvider initialOrchestratorConfig={config}>
        <StoreProvider initialOrchestratorConfig={config}>
          <SessionProvider session={pageProps.session}>
            <WfoAuth>
              <EuiProvider colorMode={colorMode} modify={wfoThemeModifications}>
                <Messages>
                  <Head>
                    <title>orchestrator-ts · WFO UI</title>
                    <link rel="icon" href="data:," />
                  </Head>
                  <ConfirmationDialogContextWrapper>
                    <WfoPageTemplate getAppLogo={logo} colorMode={colorMode} setColorMode={setColorMode}>
                      <QueryParamProvider adapter={NextAdapter} options={{ removeDefaultsFromUrl: false, enableBatching: true }}>
                        <Component {...pageProps} />
                      </QueryParamProvider>
                    </WfoPageTemplate>
                    <WfoToastsList />
                  </ConfirmationDialogContextWrapper>
                </Messages>
              </EuiProvider>
            </WfoAuth>
          </SessionProvider>
        </StoreProvider>
      </OrchestratorConfigProvider>
    </WfoErrorBoundary>
  );
}

WfoHost.getInitialProps = async (context: AppContext) => {
  const props = await NextApp.getInitialProps(context);
  const onServer = typeof window === "undefined";
  return { ...props, pageProps: { ...props.pageProps, ...(onServer ? { orchestratorConfig: orchestratorConfigFromEnv() } : {}) } };
};
