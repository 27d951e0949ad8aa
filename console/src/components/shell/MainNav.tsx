"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

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
  const navRef = useRef<HTMLElement>(null);

  useEffect(() => {
    // On a phone the tab row scrolls sideways; keep the current tab in view.
    navRef.current
      ?.querySelector('[aria-current="page"]')
      ?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [pathname]);

  return (
    <nav className="tabs" aria-label="Main" ref={navRef}>
      <ul className="tabs__list">
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
      </ul>
    </nav>
  );
}
