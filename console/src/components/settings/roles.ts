import type { UserRole } from "@slipway/sdk";

export const ROLES: { value: UserRole; label: string; description: string }[] = [
  { value: "ADMIN", label: "Admin", description: "everything, including users, credentials and servers" },
  { value: "MEMBER", label: "Member", description: "projects, services and deploys" },
  { value: "VIEWER", label: "Viewer", description: "reads everything, changes nothing" },
];

export function roleLabel(role: UserRole): string {
  return ROLES.find((r) => r.value === role)?.label ?? role;
}
