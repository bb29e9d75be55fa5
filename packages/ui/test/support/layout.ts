/**
 * Layout checks for the browser tests, measured with element boxes in the page: what sticks out of the viewport on
 * the right, and tables whose last column is cut off by their frame. The measuring code is plain JavaScript text run
 * in the page (a function transpiled here would carry helpers the page does not have).
 */
import type { Page } from "playwright-core";

const OVERFLOW = `(() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) found.push("the page scrolls sideways: " + scrollWidth + " px wide in a " + width + " px viewport");
  for (const element of document.body.querySelectorAll("*")) {
    if (element.parentElement && element.parentElement.closest("pre")) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 0.5) continue;
    const classes = typeof element.className === "string" && element.className.trim() ? "." + element.className.trim().split(/\\s+/).join(".") : "";
    const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    found.push(element.tagName.toLowerCase() + classes + ' "' + text + '" right=' + Math.round(box.right));
  }
  return found;
})()`;

const CLIPPED = `[...document.querySelectorAll(".table-wrap")].flatMap((frame) => {
  const headers = [...frame.querySelectorAll("thead th")].filter((th) => th.getBoundingClientRect().width > 0);
  const last = headers[headers.length - 1];
  const frameRight = frame.getBoundingClientRect().right;
  const lastRight = last ? last.getBoundingClientRect().right : 0;
  if (frame.scrollWidth <= frame.clientWidth + 1 && lastRight <= frameRight + 0.5) return [];
  const name = frame.querySelector("caption") ? frame.querySelector("caption").textContent : "a table";
  return [name + ": " + frame.scrollWidth + " px of content in " + frame.clientWidth + " px, last column \\"" + (last ? last.textContent : "") +
    "\\" ends at " + Math.round(lastRight) + " (frame " + Math.round(frameRight) + ")"];
})`;

/**
 * Elements whose box ends right of the viewport (or a page that scrolls sideways), described as `tag.class "text"
 * right=…`. Elements inside a `<pre>` are left out: a code block scrolls its own lines.
 */
export function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(OVERFLOW);
}

/** Tables whose content is wider than their frame, so the last column is cut off (or needs scrolling to be seen). */
export function clippedTables(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(CLIPPED);
}
