/**
 * Table cell text that saves room in wide lists: a date-time on two lines (date, then time), and an identifier
 * (`create_user_group`) that may break after its underscores — never inside a word, and only when needed.
 */
import { Fragment } from "react";
import { formatDateTime, toDate } from "../format.ts";

/** `2026-11-27` over `14:03:09` (local time). */
export function DateTime({ value }: { value: string | number | null | undefined }) {
  const text = formatDateTime(value);
  if (!text) return null;
  const [date, time] = text.split(" ");
  return (
    <time dateTime={toDate(value)?.toISOString()} className="nowrap">
      {date}
      <br />
      {time}
    </time>
  );
}

/** A name whose lines may break after each `_`. */
export function BreakableName({ name }: { name: string }) {
  const parts = name.split("_");
  return (
    <>
      {parts.map((part, index) => (
        <Fragment key={index}>
          {part}
          {index < parts.length - 1 && (
            <>
              _<wbr />
            </>
          )}
        </Fragment>
      ))}
    </>
  );
}
