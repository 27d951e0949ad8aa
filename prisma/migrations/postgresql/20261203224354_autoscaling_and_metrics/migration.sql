-- No code ever wrote the old placeholder policy table, so its rows (none) are dropped rather than
-- given values for the new required columns.
DELETE FROM "AutoscalePolicy";

-- CreateEnum
CREATE TYPE "AutoscaleAction" AS ENUM ('NONE', 'SCALE_OUT', 'SCALE_IN');

-- AlterTable
ALTER TABLE "AutoscalePolicy" DROP COLUMN "cooldownSeconds",
DROP COLUMN "lastScaledAt",
DROP COLUMN "metric",
DROP COLUMN "scaleInThreshold",
DROP COLUMN "scaleOutThreshold",
ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "evaluatedAt" TIMESTAMP(3),
ADD COLUMN     "lastScaleInAt" TIMESTAMP(3),
ADD COLUMN     "lastScaleOutAt" TIMESTAMP(3),
ADD COLUMN     "region" TEXT,
ADD COLUMN     "scaleInWindowSeconds" INTEGER NOT NULL DEFAULT 600,
ADD COLUMN     "scaleOutCooldownSeconds" INTEGER NOT NULL DEFAULT 180,
ADD COLUMN     "scaleOutStep" INTEGER NOT NULL DEFAULT 4,
ADD COLUMN     "scalingOperationId" TEXT,
ADD COLUMN     "size" TEXT,
ADD COLUMN     "snapshotId" TEXT,
ADD COLUMN     "targetCpuPercent" DOUBLE PRECISION,
ADD COLUMN     "targetRequestsPerSecond" DOUBLE PRECISION,
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL,
ADD COLUMN     "warmupSeconds" INTEGER NOT NULL DEFAULT 120;

-- DropEnum
DROP TYPE "ScaleMetric";

-- CreateTable
CREATE TABLE "AutoscaleDecision" (
    "id" TEXT NOT NULL,
    "serviceId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "currentServers" INTEGER NOT NULL,
    "recommendedServers" INTEGER NOT NULL,
    "desiredServers" INTEGER NOT NULL,
    "action" "AutoscaleAction" NOT NULL,
    "reason" TEXT NOT NULL,
    "observed" JSONB,
    "operationId" TEXT,

    CONSTRAINT "AutoscaleDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AutoscaledServer" (
    "serverId" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "serviceId" TEXT NOT NULL,
    "operationId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AutoscaledServer_pkey" PRIMARY KEY ("serverId")
);

-- CreateTable
CREATE TABLE "ServerMetric" (
    "serverId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "reachable" BOOLEAN NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 1,
    "cpuPercent" DOUBLE PRECISION,
    "memoryUsedBytes" DOUBLE PRECISION,
    "memoryTotalBytes" DOUBLE PRECISION,
    "load1" DOUBLE PRECISION,
    "diskFreeBytes" DOUBLE PRECISION,
    "diskTotalBytes" DOUBLE PRECISION,
    "error" TEXT,

    CONSTRAINT "ServerMetric_pkey" PRIMARY KEY ("serverId","step","at")
);

-- CreateTable
CREATE TABLE "ServiceMetric" (
    "serviceId" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "reachable" BOOLEAN NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 1,
    "cpuPercent" DOUBLE PRECISION,
    "memoryBytes" DOUBLE PRECISION,
    "intervalSeconds" DOUBLE PRECISION,
    "requests" INTEGER,
    "errors" INTEGER,
    "latencyHistogram" JSONB,
    "latencyP50Ms" DOUBLE PRECISION,
    "latencyP95Ms" DOUBLE PRECISION,

    CONSTRAINT "ServiceMetric_pkey" PRIMARY KEY ("serviceId","step","at","serverId")
);

-- CreateTable
CREATE TABLE "ServerMetricsState" (
    "serverId" TEXT NOT NULL,
    "serverName" TEXT NOT NULL,
    "slotAt" TIMESTAMP(3),
    "sampledAt" TIMESTAMP(3),
    "counters" JSONB,
    "logCursors" JSONB,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ServerMetricsState_pkey" PRIMARY KEY ("serverId")
);

-- CreateTable
CREATE TABLE "MetricRollup" (
    "id" TEXT NOT NULL,
    "through" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MetricRollup_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE UNIQUE INDEX "AutoscalePolicy_scalingOperationId_key" ON "AutoscalePolicy"("scalingOperationId");

-- AddForeignKey
ALTER TABLE "AutoscaledServer" ADD CONSTRAINT "AutoscaledServer_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AutoscaledServer" ADD CONSTRAINT "AutoscaledServer_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "AutoscalePolicy"("id") ON DELETE CASCADE ON UPDATE CASCADE;


