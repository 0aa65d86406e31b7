/**
 * Who hears about a case: the policy's audiences (assignee, team, managers, executives) → staff addresses.
 * Pure over a staff list loaded once per tick.
 */
import type { Audience } from "../policy/types.js";

export interface StaffMember {
  id: number;
  email: string;
  name: string;
  role: string;
  timeZone: string | null;
  active: boolean;
}

/** The assignee, or the whole engineering team while nobody is assigned. */
export function engineersFor(assigneeId: number | null, staff: StaffMember[]): StaffMember[] {
  const active = staff.filter((s) => s.active);
  const assignee = assigneeId === null ? undefined : active.find((s) => s.id === assigneeId);
  return assignee ? [assignee] : active.filter((s) => s.role === "engineer");
}

export function recipientsFor(audiences: Audience[], assigneeId: number | null, staff: StaffMember[]): StaffMember[] {
  const active = staff.filter((s) => s.active);
  const chosen = new Map<number, StaffMember>();
  const add = (list: StaffMember[]) => list.forEach((s) => chosen.set(s.id, s));
  for (const audience of audiences) {
    if (audience === "assignee") add(engineersFor(assigneeId, staff));
    else if (audience === "team") add(active.filter((s) => s.role === "engineer"));
    else if (audience === "managers") add(active.filter((s) => s.role === "manager"));
    else if (audience === "executives") add(active.filter((s) => s.role === "executive"));
  }
  return [...chosen.values()].sort((a, b) => a.email.localeCompare(b.email));
}
