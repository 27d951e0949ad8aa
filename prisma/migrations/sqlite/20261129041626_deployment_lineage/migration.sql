-- AlterTable
ALTER TABLE "DeploymentTarget" ADD COLUMN "previousDeploymentId" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Deployment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "serviceId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "sourceType" TEXT NOT NULL,
    "sourceRef" TEXT NOT NULL,
    "imageTag" TEXT NOT NULL,
    "imageId" TEXT,
    "port" INTEGER NOT NULL,
    "healthCheckPath" TEXT NOT NULL,
    "healthCheckTimeoutSeconds" INTEGER NOT NULL,
    "domains" JSONB NOT NULL,
    "envCiphertext" TEXT NOT NULL,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "rolledBackFromId" TEXT,
    "restoredId" TEXT,
    "createdById" TEXT,
    "operationId" TEXT,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "Deployment_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Deployment_rolledBackFromId_fkey" FOREIGN KEY ("rolledBackFromId") REFERENCES "Deployment" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Deployment_restoredId_fkey" FOREIGN KEY ("restoredId") REFERENCES "Deployment" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Deployment_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Deployment_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Deployment" ("createdAt", "createdById", "domains", "envCiphertext", "error", "finishedAt", "healthCheckPath", "healthCheckTimeoutSeconds", "id", "imageId", "imageTag", "operationId", "pinned", "port", "rolledBackFromId", "serviceId", "sourceRef", "sourceType", "startedAt", "status") SELECT "createdAt", "createdById", "domains", "envCiphertext", "error", "finishedAt", "healthCheckPath", "healthCheckTimeoutSeconds", "id", "imageId", "imageTag", "operationId", "pinned", "port", "rolledBackFromId", "serviceId", "sourceRef", "sourceType", "startedAt", "status" FROM "Deployment";
DROP TABLE "Deployment";
ALTER TABLE "new_Deployment" RENAME TO "Deployment";
CREATE UNIQUE INDEX "Deployment_operationId_key" ON "Deployment"("operationId");
CREATE INDEX "Deployment_serviceId_createdAt_idx" ON "Deployment"("serviceId", "createdAt");
CREATE INDEX "Deployment_status_createdAt_idx" ON "Deployment"("status", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
