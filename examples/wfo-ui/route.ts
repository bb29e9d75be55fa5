/** Small routing helpers for the pages (kept outside pages/, which Next.js would treat as routes). */
import { useEffect } from "react";
import { useRouter } from "next/router";

/** A dynamic route segment as one string, or undefined until the router is ready. */
export function useRouterParam(name: string): string | undefined {
  const value = useRouter().query[name];
  return typeof value === "string" ? value : undefined;
}

/** A page that only sends the browser elsewhere. */
export function redirectTo(path: string) {
  return function Redirect() {
    const router = useRouter();
    useEffect(() => void router.replace(path), [router]);
    return null;
  };
}
