/**
 * The main navigation folded behind a Menu button on narrow screens (the CSS decides when it folds): open / closed,
 * closed again by choosing a page (any route change), Escape or a click elsewhere, and the ARIA wiring of the button
 * and the menu.
 */
import { useEffect, useState } from "react";
import { useLocation } from "react-router";

export function useFoldingNav(navId: string) {
  const [open, setOpen] = useState(false);
  const location = useLocation();

  useEffect(() => setOpen(false), [location.pathname, location.search]);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpen(false);
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Element | null;
      // the button toggles by itself; inside the menu a link closes it by navigating
      if (target?.closest(`#${navId}, [aria-controls="${navId}"]`)) return;
      setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open, navId]);

  return {
    buttonProps: { "aria-expanded": open, "aria-controls": navId, onClick: () => setOpen((o) => !o) },
    navProps: { id: navId, "data-open": open },
  };
}
