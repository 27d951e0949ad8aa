-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
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
    "removalOperationId" TEXT,
    "port" INTEGER NOT NULL DEFAULT 3000,
    "healthCheckPath" TEXT NOT NULL DEFAULT '/',
    "healthCheckTimeoutSeconds" INTEGER NOT NULL DEFAULT 30,
    "healthCheckIntervalMs" INTEGER NOT NULL DEFAULT 200,
    "drainTimeoutSeconds" INTEGER NOT NULL DEFAULT 30,
    "keepImages" INTEGER NOT NULL DEFAULT 5,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Service_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Service_activeDeploymentId_fkey" FOREIGN KEY ("activeDeploymentId") REFERENCES "Deployment" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Service_removalOperationId_fkey" FOREIGN KEY ("removalOperationId") REFERENCES "Operation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Service" ("activeDeploymentId", "agentName", "createdAt", "drainTimeoutSeconds", "gitRef", "gitRepository", "healthCheckIntervalMs", "healthCheckPath", "healthCheckTimeoutSeconds", "id", "image", "imageBase", "keepImages", "name", "port", "projectId", "sourceType", "updatedAt") SELECT "activeDeploymentId", "agentName", "createdAt", "drainTimeoutSeconds", "gitRef", "gitRepository", "healthCheckIntervalMs", "healthCheckPath", "healthCheckTimeoutSeconds", "id", "image", "imageBase", "keepImages", "name", "port", "projectId", "sourceType", "updatedAt" FROM "Service";
DROP TABLE "Service";
ALTER TABLE "new_Service" RENAME TO "Service";
CREATE UNIQUE INDEX "Service_agentName_key" ON "Service"("agentName");
CREATE UNIQUE INDEX "Service_activeDeploymentId_key" ON "Service"("activeDeploymentId");
CREATE UNIQUE INDEX "Service_removalOperationId_key" ON "Service"("removalOperationId");
CREATE UNIQUE INDEX "Service_projectId_name_key" ON "Service"("projectId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


