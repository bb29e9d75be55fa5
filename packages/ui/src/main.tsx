/** Entry point: sign-in (when the server requires it), the query cache, the router, the live connection and the app. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App.tsx";
import { ApiError } from "./api/client.ts";
import { AuthGate } from "./auth/AuthGate.tsx";
import { startAuth } from "./auth/start.ts";
import { ToastProvider } from "./components/Toasts.tsx";
import { LiveProvider } from "./live/LiveProvider.tsx";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // a 4xx will not get better by asking again
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

// started once, outside React: a sign-in callback must be completed exactly once (StrictMode runs effects twice)
const start = startAuth();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthGate start={start}>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <ToastProvider>
            <LiveProvider>
              <App />
            </LiveProvider>
          </ToastProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </AuthGate>
  </StrictMode>,
);
