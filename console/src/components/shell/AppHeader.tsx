import Link from "next/link";
import type { ViewerQuery } from "@slipway/sdk";
import { MainNav } from "./MainNav";
import { UserMenu } from "./UserMenu";

type Viewer = NonNullable<ViewerQuery["viewer"]>;

export function AppHeader({ viewer }: { viewer: Viewer }) {
  return (
    <header className="app-header">
      <div className="app-header__bar">
        <Link href="/" className="brand">
          <span className="brand__mark" aria-hidden="true" />
          Slipway
        </Link>
        <UserMenu viewer={viewer} />
      </div>
      <MainNav />
    </header>
  );
}
