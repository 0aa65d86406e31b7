/** The lifecycle notice to an organization's DTCs (pure, ready for the outbox); its key is the notice's identity. */
import type { Desk } from "../desk.js";
import { deskNotice } from "../outbox/desk-notice.js";
import type { NewOutgoing } from "../outbox/queue.js";
import type { LifecycleProduct } from "./file.js";
import { MILESTONE_MEANING, MILESTONE_NAMES, noticeKey, type DueNotice } from "./notices.js";
import { supportedVersions } from "./period.js";

export function lifecycleNoticeMessage(desk: Desk, n: DueNotice, to: string[], product: LifecycleProduct | undefined): NewOutgoing | null {
  const recipients = [...new Set(to)].sort();
  if (recipients.length === 0) return null;
  const key = noticeKey(n);
  const m = n.milestones;
  const subject = `${n.product} ${n.version}: ${MILESTONE_NAMES[n.milestone]} on ${n.date}`;
  const body = desk.templates.render("lifecycle-notice", {
    organization: n.organization,
    product: n.product,
    version: n.version,
    milestone: n.milestone,
    milestoneName: MILESTONE_NAMES[n.milestone],
    date: n.date,
    meaning: MILESTONE_MEANING[n.milestone],
    cases: n.cases.map((c) => `#${c}`).join(", "),
    timeline: [
      { label: "General Availability (GA)", date: m.ga },
      { label: "End of Sales (EOS)", date: m.eos ?? "not announced" },
      { label: "End of Mainstream Support (EOMS)", date: m.eoms ?? "not yet set" },
      { label: "End of Life (EOL)", date: m.eol ?? "not yet set" },
    ],
    // Versions still supported on the milestone's day: what to move to.
    supported: product ? supportedVersions(product, n.date).filter((v) => !v.startsWith(`${n.version} `)) : [],
    deskName: desk.policies.get(n.policyId)?.name ?? null,
    supportAddress: desk.fromAddress,
  });
  return deskNotice(desk, { key, kind: "lifecycle-notice", caseId: null, to: recipients, subject, body });
}
