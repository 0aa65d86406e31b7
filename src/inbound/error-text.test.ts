import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { MAX_ERROR_TEXT, recordedErrorText } from "./error-text.js";

describe("recordedErrorText", () => {
  it("is an error's message, made storable", () => {
    expect(recordedErrorText(new AppError("E_X", "cannot read \u0000 here"))).toBe("cannot read  here");
    expect(recordedErrorText("plain \ud800 string")).toBe("plain \ufffd string");
  });

  it("tells a failed statement by the database's reason and its first line, never by the parameters (the mail itself)", () => {
    const cause = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" });
    // drizzle's DrizzleQueryError (src/ outside store imports no drizzle): its message lists every parameter.
    const query = 'insert into "attachments" (message_id, filename)\n values ($1, $2)';
    const error = Object.assign(new Error(`Failed query: ${query}\nparams: 1,a\u0000b.txt`), { query, params: [1, "a\u0000b.txt"], cause });
    expect(recordedErrorText(error)).toBe('invalid byte sequence for encoding "UTF8": 0x00 (statement: insert into "attachments" (message_id, filename))');
  });

  it("is at most MAX_ERROR_TEXT characters, and a cut never leaves half a surrogate pair", () => {
    const text = recordedErrorText(new Error(`${"a".repeat(MAX_ERROR_TEXT - 2)}🚀🚀🚀`));
    expect(text.length).toBeLessThanOrEqual(MAX_ERROR_TEXT);
    expect(text.endsWith("\ufffd…")).toBe(true);
  });
});
