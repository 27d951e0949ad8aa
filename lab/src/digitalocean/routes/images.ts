import { notFound, unprocessable } from "../errors.js";
import { imageJson, snapshotJson } from "../presenters.js";
import type { ImageRecord } from "../state.js";
import { listReply, type RouteContext } from "./context.js";

// Images and snapshots are two views of one store: a droplet snapshot is a private image.
export function registerImageRoutes(ctx: RouteContext): void {
  const { router, state } = ctx;
  const snapshots = () => [...state.images.values()].filter((i) => i.type === "snapshot");

  const deleteSnapshot = (image: ImageRecord | undefined) => {
    if (!image) throw notFound();
    if (image.type !== "snapshot") throw unprocessable("Only private images can be deleted.");
    state.images.delete(image.id);
    return { status: 204 };
  };

  router.add("GET", "/v2/images", (req) => {
    const privateOnly = req.query.get("private") === "true";
    const type = req.query.get("type");
    const tag = req.query.get("tag_name");
    // The lab has distribution images and snapshots, no marketplace ("application") images.
    const all = [...state.images.values()]
      .filter(() => type !== "application")
      .filter((i) => !privateOnly || i.type === "snapshot")
      .filter((i) => type !== "distribution" || i.type === "base")
      .filter((i) => tag === null || i.tags.includes(tag));
    return listReply(ctx, req, "images", all.map(imageJson));
  });

  router.add("GET", "/v2/images/{image_id}", (req) => {
    const image = state.images.get(Number(req.params.image_id));
    if (!image) throw notFound();
    return { status: 200, body: { image: imageJson(image) } };
  });

  router.add("DELETE", "/v2/images/{image_id}", (req) => deleteSnapshot(state.images.get(Number(req.params.image_id))));

  router.add("GET", "/v2/snapshots", (req) => {
    // Every lab snapshot is of a droplet; there are no volumes.
    const all = req.query.get("resource_type") === "volume" ? [] : snapshots();
    return listReply(ctx, req, "snapshots", all.map(snapshotJson));
  });

  router.add("GET", "/v2/snapshots/{snapshot_id}", (req) => {
    const image = snapshots().find((i) => String(i.id) === req.params.snapshot_id);
    if (!image) throw notFound();
    return { status: 200, body: { snapshot: snapshotJson(image) } };
  });

  router.add("DELETE", "/v2/snapshots/{snapshot_id}", (req) =>
    deleteSnapshot(snapshots().find((i) => String(i.id) === req.params.snapshot_id)),
  );
}
