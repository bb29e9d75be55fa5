/** A description that can be edited in place (`PATCH <path> {description}`): Edit, then Enter saves, Escape cancels. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";

interface Props {
  value: string | null;
  path: string;
  queryKey: readonly unknown[];
  name: string;
}

export function EditableDescription({ value, path, queryKey, name }: Props) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(value ?? "");
  const save = useMutation({
    mutationFn: (description: string) => api("PATCH", path, { description }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey });
      setEditing(false);
    },
  });
  if (!editing) {
    return (
      <span className="editable">
        <span>{value ?? ""}</span>{" "}
        <button
          type="button"
          className="link-button"
          aria-label={`Edit description of ${name}`}
          onClick={() => {
            setText(value ?? "");
            setEditing(true);
          }}
        >
          Edit
        </button>
      </span>
    );
  }
  return (
    <form
      className="inline-edit"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(text);
      }}
    >
      <label>
        <span className="visually-hidden">Description of {name}</span>
        <input
          autoFocus
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") setEditing(false);
          }}
        />
      </label>
      <button type="submit" disabled={save.isPending}>
        Save
      </button>
      <button type="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {save.error && (
        <span role="alert" className="error">
          {save.error.message}
        </span>
      )}
    </form>
  );
}
