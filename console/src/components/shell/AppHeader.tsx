import Link from "next/link";
import type { ViewerQuery } from "@slipway/sdk";
import { ApiPlaygroundLink } from "./ApiPlaygroundLink";
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
        <div className="app-header__end">
          <ApiPlaygroundLink className="app-header__link" />
          <UserMenu viewer={viewer} />
        </div>
      </div>
      <MainNav />
    </header>
  );
}
