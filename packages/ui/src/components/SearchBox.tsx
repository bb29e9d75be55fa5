/** A search field that applies its text after a short pause in typing, or at once on Enter. */
import { useEffect, useState } from "react";

export function SearchBox({ value, onSearch, label = "Search", placeholder }: { value: string; onSearch: (query: string) => void; label?: string; placeholder?: string }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onSearch(text), 400);
    return () => clearTimeout(timer);
  }, [text, value, onSearch]);
  return (
    <form
      role="search"
      className="search-box"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(text);
      }}
    >
      <label>
        <span className="visually-hidden">{label}</span>
        <input type="search" value={text} placeholder={placeholder ?? label} onChange={(event) => setText(event.target.value)} />
      </label>
    </form>
  );
}
