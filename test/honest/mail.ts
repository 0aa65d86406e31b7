/** Raw request mail for the honest-records tests: a DTC's request with the fields a template asks for. */
import { SUPPORT } from "../support/desk.js";

export const mailbox = { name: "support", address: SUPPORT, defaultPolicy: "vantiq", folder: "INBOX", usesCursor: false };

export function request(n: number, from = "jane.doe@customer.example", extraHeaders: string[] = []): Buffer {
  return Buffer.from(
    [
      `From: Jane Doe <${from}>`,
      `To: ${SUPPORT}`,
      `Subject: Stream ${n} stalls`,
      `Message-ID: <request-${n}-${from}>`,
      "Date: Tue, 10 Nov 2026 09:14:10 -0800",
      ...extraHeaders,
      "",
      "Severity: 3",
      "Environment: production",
      `Stream ${n} stalls every hour.`,
      "",
    ].join("\r\n"),
  );
}
