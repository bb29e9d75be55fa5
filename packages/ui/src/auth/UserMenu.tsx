/** The signed-in user's name and a sign-out button, in the top bar; nothing when authentication is off. */
import { useState } from "react";
import { useAuth, useUserName } from "./AuthContext.ts";

export function UserMenu() {
  const session = useAuth();
  const name = useUserName(session);
  const [leaving, setLeaving] = useState(false);
  if (!session) return null;
  return (
    <div className="user-menu">
      <span className="user-name" title="Signed in as">
        {name}
      </span>
      <button
        type="button"
        className="sign-out"
        disabled={leaving}
        onClick={() => {
          setLeaving(true);
          void session.signOut();
        }}
      >
        Sign out
      </button>
    </div>
  );
}
