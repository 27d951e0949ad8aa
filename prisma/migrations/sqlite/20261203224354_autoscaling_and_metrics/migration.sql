-- No code ever wrote the old placeholder policy table, so its rows (none) are dropped rather than
-- given values for the new required columns.
DELETE FROM "AutoscalePolicy";

-- CreateTable
CREATE TABLE "AutoscaleDecision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "serviceId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "currentServers" INTEGER NOT NULL,
    "recommendedServers" INTEGER NOT NULL,
    "desiredServers" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "observed" JSONB,
    "operationId" TEXT
);

-- CreateTable
CREATE TABLE "AutoscaledServer" (
    "serverId" TEXT NOT NULL PRIMARY KEY,
    "policyId" TEXT NOT NULL,
    "serviceId" TEXT NOT NULL,
    "operationId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AutoscaledServer_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AutoscaledServer_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "AutoscalePolicy" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ServerMetric" (
    "serverId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "reachable" BOOLEAN NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 1,
    "cpuPercent" REAL,
    "memoryUsedBytes" REAL,
    "memoryTotalBytes" REAL,
    "load1" REAL,
    "diskFreeBytes" REAL,
    "diskTotalBytes" REAL,
    "error" TEXT,

    PRIMARY KEY ("serverId", "step", "at")
);

-- CreateTable
CREATE TABLE "ServiceMetric" (
    "serviceId" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "reachable" BOOLEAN NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 1,
    "cpuPercent" REAL,
    "memoryBytes" REAL,
    "intervalSeconds" REAL,
    "requests" INTEGER,
    "errors" INTEGER,
    "latencyHistogram" JSONB,
    "latencyP50Ms" REAL,
    "latencyP95Ms" REAL,

    PRIMARY KEY ("serviceId", "step", "at", "serverId")
);

-- CreateTable
CREATE TABLE "ServerMetricsState" (
    "serverId" TEXT NOT NULL PRIMARY KEY,
    "serverName" TEXT NOT NULL,
    "slotAt" DATETIME,
    "sampledAt" DATETIME,
    "counters" JSONB,
    "logCursors" JSONB,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MetricRollup" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "through" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AutoscalePolicy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "serviceId" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "minServers" INTEGER NOT NULL DEFAULT 1,
    "maxServers" INTEGER NOT NULL DEFAULT 1,
    "targetCpuPercent" REAL,
    "targetRequestsPerSecond" REAL,
    "snapshotId" TEXT,
    "region" TEXT,
    "size" TEXT,
    "scaleOutStep" INTEGER NOT NULL DEFAULT 4,
    "scaleOutCooldownSeconds" INTEGER NOT NULL DEFAULT 180,
    "scaleInWindowSeconds" INTEGER NOT NULL DEFAULT 600,
    "warmupSeconds" INTEGER NOT NULL DEFAULT 120,
    "evaluatedAt" DATETIME,
    "scalingOperationId" TEXT,
    "lastScaleOutAt" DATETIME,
    "lastScaleInAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AutoscalePolicy_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AutoscalePolicy" ("enabled", "id", "maxServers", "minServers", "serviceId") SELECT "enabled", "id", "maxServers", "minServers", "serviceId" FROM "AutoscalePolicy";
DROP TABLE "AutoscalePolicy";
ALTER TABLE "new_AutoscalePolicy" RENAME TO "AutoscalePolicy";
CREATE UNIQUE INDEX "AutoscalePolicy_serviceId_key" ON "AutoscalePolicy"("serviceId");
CREATE UNIQUE INDEX "AutoscalePolicy_scalingOperationId_key" ON "AutoscalePolicy"("scalingOperationId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "AutoscaleDecision_serviceId_at_idx" ON "AutoscaleDecision"("serviceId", "at");

-- CreateIndex
CREATE INDEX "AutoscaleDecision_at_idx" ON "AutoscaleDecision"("at");

-- CreateIndex
CREATE INDEX "AutoscaledServer_policyId_idx" ON "AutoscaledServer"("policyId");

-- CreateIndex
CREATE INDEX "ServerMetric_step_at_idx" ON "ServerMetric"("step", "at");

-- CreateIndex
CREATE INDEX "ServiceMetric_serverId_step_at_idx" ON "ServiceMetric"("serverId", "step", "at");

-- CreateIndex
CREATE INDEX "ServiceMetric_step_at_idx" ON "ServiceMetric"("step", "at");


