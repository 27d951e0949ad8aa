"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/settings/credentials", label: "Credentials" },
  { href: "/settings/api-tokens", label: "API tokens" },
  { href: "/settings/users", label: "Users" },
  { href: "/settings/sessions", label: "Sessions" },
  { href: "/settings/audit", label: "Audit log" },
] as const;

export function SettingsNav() {
  const pathname = usePathname();
  return (
    <nav className="subnav" aria-label="Settings">
      <ul className="subnav__list">
        {SECTIONS.map((section) => {
          const active = pathname.startsWith(section.href);
          return (
            <li key={section.href}>
              <Link
                href={section.href}
                className={active ? "subnav__link subnav__link--active" : "subnav__link"}
                aria-current={active ? "page" : undefined}
              >
                {section.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
