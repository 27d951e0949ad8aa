-- AlterTable
ALTER TABLE "OperationEvent" ADD COLUMN "releaseState" TEXT;

-- AlterTable
ALTER TABLE "ServiceServer" ADD COLUMN "reportedAt" DATETIME;

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
    "port" INTEGER NOT NULL,
    "healthCheckPath" TEXT NOT NULL,
    "healthCheckTimeoutSeconds" INTEGER NOT NULL,
    "healthCheckIntervalMs" INTEGER NOT NULL DEFAULT 200,
    "drainTimeoutSeconds" INTEGER NOT NULL DEFAULT 30,
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
    "routedAt" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "Deployment_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Deployment_rolledBackFromId_fkey" FOREIGN KEY ("rolledBackFromId") REFERENCES "Deployment" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Deployment_restoredId_fkey" FOREIGN KEY ("restoredId") REFERENCES "Deployment" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Deployment_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Deployment_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Deployment" ("createdAt", "createdById", "domains", "envCiphertext", "error", "finishedAt", "healthCheckPath", "healthCheckTimeoutSeconds", "id", "imageTag", "operationId", "pinned", "port", "restoredId", "rolledBackFromId", "serviceId", "sourceRef", "sourceType", "startedAt", "status") SELECT "createdAt", "createdById", "domains", "envCiphertext", "error", "finishedAt", "healthCheckPath", "healthCheckTimeoutSeconds", "id", "imageTag", "operationId", "pinned", "port", "restoredId", "rolledBackFromId", "serviceId", "sourceRef", "sourceType", "startedAt", "status" FROM "Deployment";
DROP TABLE "Deployment";
ALTER TABLE "new_Deployment" RENAME TO "Deployment";
CREATE UNIQUE INDEX "Deployment_operationId_key" ON "Deployment"("operationId");
CREATE INDEX "Deployment_serviceId_createdAt_idx" ON "Deployment"("serviceId", "createdAt");
CREATE INDEX "Deployment_status_createdAt_idx" ON "Deployment"("status", "createdAt");
CREATE TABLE "new_DeploymentTarget" (
    "deploymentId" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "previousDeploymentId" TEXT,
    "containerId" TEXT,
    "error" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("deploymentId", "serverId"),
    CONSTRAINT "DeploymentTarget_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DeploymentTarget_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- The old statuses are states of the new machine under the same names.
INSERT INTO "new_DeploymentTarget" ("containerId", "deploymentId", "error", "previousDeploymentId", "serverId", "state", "updatedAt") SELECT "containerId", "deploymentId", "error", "previousDeploymentId", "serverId", "status", "updatedAt" FROM "DeploymentTarget";
DROP TABLE "DeploymentTarget";
ALTER TABLE "new_DeploymentTarget" RENAME TO "DeploymentTarget";
CREATE INDEX "DeploymentTarget_serverId_idx" ON "DeploymentTarget"("serverId");
CREATE TABLE "new_Service" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sourceType" TEXT NOT NULL DEFAULT 'ARCHIVE',
    "gitRepository" TEXT,
    "gitRef" TEXT,
    "image" TEXT,
    "imageBase" TEXT NOT NULL,
    "agentName" TEXT NOT NULL,
    "activeDeploymentId" TEXT,
    "port" INTEGER NOT NULL DEFAULT 3000,
    "healthCheckPath" TEXT NOT NULL DEFAULT '/',
    "healthCheckTimeoutSeconds" INTEGER NOT NULL DEFAULT 30,
    "healthCheckIntervalMs" INTEGER NOT NULL DEFAULT 200,
    "drainTimeoutSeconds" INTEGER NOT NULL DEFAULT 30,
    "keepImages" INTEGER NOT NULL DEFAULT 5,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Service_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Service_activeDeploymentId_fkey" FOREIGN KEY ("activeDeploymentId") REFERENCES "Deployment" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Service" ("activeDeploymentId", "agentName", "createdAt", "gitRef", "gitRepository", "healthCheckPath", "healthCheckTimeoutSeconds", "id", "image", "imageBase", "keepImages", "name", "port", "projectId", "sourceType", "updatedAt") SELECT "activeDeploymentId", "agentName", "createdAt", "gitRef", "gitRepository", "healthCheckPath", "healthCheckTimeoutSeconds", "id", "image", "imageBase", "keepImages", "name", "port", "projectId", "sourceType", "updatedAt" FROM "Service";
DROP TABLE "Service";
ALTER TABLE "new_Service" RENAME TO "Service";
CREATE UNIQUE INDEX "Service_agentName_key" ON "Service"("agentName");
CREATE UNIQUE INDEX "Service_activeDeploymentId_key" ON "Service"("activeDeploymentId");
CREATE UNIQUE INDEX "Service_projectId_name_key" ON "Service"("projectId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


