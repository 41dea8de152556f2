import { useEffect, useState } from "preact/hooks";

/** Paths are under /app; links are plain <a href> that this turns into history navigation. */
export const BASE = "/app";

export function navigate(to: string, replace = false) {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  dispatchEvent(new Event("konversio:navigate"));
}

export function usePath() {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setPath(location.pathname + location.search);
    addEventListener("popstate", update);
    addEventListener("konversio:navigate", update);
    return () => {
      removeEventListener("popstate", update);
      removeEventListener("konversio:navigate", update);
    };
  }, []);
  return path;
}

/** Clicks on same-origin links under /app navigate without reloading. */
export function interceptLinks() {
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest?.("a");
    if (!a || a.target || a.hasAttribute("download")) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}
