"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { ApiPlaygroundLink } from "./ApiPlaygroundLink";
import { useEffect, useId, useState } from "react";

const TABS = [
  { href: "/", label: "Projects", matches: (p: string) => p === "/" || p.startsWith("/projects") },
  { href: "/deploy", label: "Deploy" },
  { href: "/deployments", label: "Deployments" },
  { href: "/infrastructure", label: "Infrastructure" },
  { href: "/settings", label: "Settings" },
] as const;

function isActive(tab: (typeof TABS)[number], pathname: string): boolean {
  if ("matches" in tab) return tab.matches(pathname);
  return pathname === tab.href || pathname.startsWith(`${tab.href}/`);
}

export function MainNav() {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const listId = useId();
  const current = TABS.find((tab) => isActive(tab, pathname));

  // A phone shows the tabs as a menu; going somewhere closes it.
  useEffect(() => setOpen(false), [pathname]);

  return (
    <nav className={open ? "tabs tabs--open" : "tabs"} aria-label="Main">
      <button
        type="button"
        className="tabs__toggle"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen((value) => !value)}
      >
        <span className="tabs__toggle-icon" aria-hidden="true" />
        <span>Menu{current ? `: ${current.label}` : ""}</span>
      </button>
      <ul className="tabs__list" id={listId}>
        {TABS.map((tab) => {
          const active = isActive(tab, pathname);
          return (
            <li key={tab.href}>
              <Link
                href={tab.href}
                className={active ? "tabs__link tabs__link--active" : "tabs__link"}
                aria-current={active ? "page" : undefined}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
        {/* On a phone the header has no room for it: the menu carries it. */}
        <li className="tabs__phone-only">
          <ApiPlaygroundLink className="tabs__link" />
        </li>
      </ul>
    </nav>
  );
}
