-- AlterEnum
ALTER TYPE "UserRole" ADD VALUE 'VIEWER';

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "parentId" TEXT,
ADD COLUMN     "userAgent" TEXT;

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "activeDeploymentId" TEXT,
ADD COLUMN     "agentName" TEXT;

-- Each service keeps the name it had on its servers ("<project>-<service>") where no other service
-- shares it. Services that shared one (project "acme-api" + "web", "acme" + "api-web") get
-- "<project>--<service>", which no other name can spell, and start afresh at their next deploy.
UPDATE "Service" s SET "agentName" = CASE
    WHEN (SELECT COUNT(*) FROM "Service" s2 JOIN "Project" p2 ON p2."id" = s2."projectId" WHERE p2."name" || '-' || s2."name" = p."name" || '-' || s."name") = 1
    THEN p."name" || '-' || s."name"
    ELSE p."name" || '--' || s."name" END
  FROM "Project" p WHERE p."id" = s."projectId";
ALTER TABLE "Service" ALTER COLUMN "agentName" SET NOT NULL;

-- AlterTable
ALTER TABLE "ServiceDomain" ADD COLUMN     "dnsAdoptedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "OwnedDnsRecord" (
    "id" TEXT NOT NULL,
    "zoneId" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OwnedDnsRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OwnedDnsRecord_hostname_idx" ON "OwnedDnsRecord"("hostname");

-- CreateIndex
CREATE INDEX "AuditLogEntry_action_createdAt_idx" ON "AuditLogEntry"("action", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Service_agentName_key" ON "Service"("agentName");

-- CreateIndex
CREATE UNIQUE INDEX "Service_activeDeploymentId_key" ON "Service"("activeDeploymentId");

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "ApiToken"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Setting" ADD CONSTRAINT "Setting_updatedById_fkey" FOREIGN KEY ("updatedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Service" ADD CONSTRAINT "Service_activeDeploymentId_fkey" FOREIGN KEY ("activeDeploymentId") REFERENCES "Deployment"("id") ON DELETE SET NULL ON UPDATE CASCADE;


