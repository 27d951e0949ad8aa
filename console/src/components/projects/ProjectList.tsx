"use client";

import { useState } from "react";
import { ProjectListPage } from "./ProjectListPage";

/** Pages through projects: each loaded page stays on screen and the last one offers more. */
export function ProjectList() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <>
      {cursors.map((after, index) => (
        <ProjectListPage
          key={after ?? "first"}
          after={after}
          isFirst={index === 0}
          isLast={index === cursors.length - 1}
          onLoadMore={(cursor) => setCursors((list) => [...list, cursor])}
        />
      ))}
    </>
  );
}
