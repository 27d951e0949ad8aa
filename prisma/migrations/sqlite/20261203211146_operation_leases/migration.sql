-- CreateTable
CREATE TABLE "ControlPlaneKey" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "publicKey" TEXT NOT NULL,
    "privateKeyCiphertext" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "BuildContextChunk" (
    "deploymentId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "data" BLOB NOT NULL,

    PRIMARY KEY ("deploymentId", "index"),
    CONSTRAINT "BuildContextChunk_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Operation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "handler" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "title" TEXT NOT NULL,
    "ownerId" TEXT,
    "heartbeatAt" DATETIME,
    "cancelRequestedAt" DATETIME,
    "serviceId" TEXT,
    "input" JSONB,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "Operation_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Operation_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Operation" ("createdAt", "createdById", "error", "finishedAt", "id", "input", "kind", "lastSeq", "serviceId", "startedAt", "status", "title") SELECT "createdAt", "createdById", "error", "finishedAt", "id", "input", "kind", "lastSeq", "serviceId", "startedAt", "status", "title" FROM "Operation";
DROP TABLE "Operation";
ALTER TABLE "new_Operation" RENAME TO "Operation";
CREATE INDEX "Operation_status_heartbeatAt_idx" ON "Operation"("status", "heartbeatAt");
CREATE INDEX "Operation_kind_createdAt_idx" ON "Operation"("kind", "createdAt");
CREATE INDEX "Operation_serviceId_createdAt_idx" ON "Operation"("serviceId", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


