/** The pages shown instead of the app while signing in, when signing in failed, and after signing out. */
import { useState, type ReactNode } from "react";
import type { AuthSession, AuthFailure } from "./session.ts";

function Frame({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <main className="auth-page" id="main">
      <div className="card auth-card">
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

/** Shown while the browser goes to the issuer. */
export function SigningInPage() {
  return (
    <Frame title="Signing in">
      <p role="status" className="muted">
        Taking you to the sign-in page…
      </p>
    </Frame>
  );
}

/** A sign-in button: goes to the issuer, or shows why it cannot. */
function SignInButton({ session, returnTo, label }: { session: AuthSession | undefined; returnTo: string; label: string }) {
  const [error, setError] = useState<string | null>(null);
  const onClick = () => {
    if (!session) return window.location.reload();
    setError(null);
    session.signIn(returnTo).catch((reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)));
  };
  return (
    <>
      <button type="button" className="primary" onClick={onClick}>
        {label}
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </>
  );
}

/** Signing in cannot work (configuration), or the issuer could not be reached or refused. */
export function AuthErrorPage({ failure, session }: { failure: AuthFailure; session: AuthSession | undefined }) {
  return (
    <Frame title={failure.title}>
      <p role="alert" className="error-box auth-detail">
        {failure.detail}
      </p>
      <SignInButton session={session} returnTo={failure.returnTo} label="Try again" />
    </Frame>
  );
}

/** After a sign-out that only happened here (the issuer has no sign-out endpoint). */
export function SignedOutPage({ session }: { session: AuthSession }) {
  return (
    <Frame title="Signed out">
      <p>You are signed out of the orchestrator.</p>
      <SignInButton session={session} returnTo="/" label="Sign in" />
    </Frame>
  );
}
