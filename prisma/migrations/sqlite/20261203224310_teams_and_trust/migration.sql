-- AlterTable
ALTER TABLE "ServiceDomain" ADD COLUMN "dnsAdoptedAt" DATETIME;

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" JSONB NOT NULL,
    "updatedById" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Setting_updatedById_fkey" FOREIGN KEY ("updatedById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OwnedDnsRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "zoneId" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "parentId" TEXT,
    "userAgent" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "expiresAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ApiToken_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "ApiToken" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ApiToken" ("createdAt", "expiresAt", "id", "kind", "lastUsedAt", "name", "prefix", "revokedAt", "scopes", "tokenHash", "userId") SELECT "createdAt", "expiresAt", "id", "kind", "lastUsedAt", "name", "prefix", "revokedAt", "scopes", "tokenHash", "userId" FROM "ApiToken";
DROP TABLE "ApiToken";
ALTER TABLE "new_ApiToken" RENAME TO "ApiToken";
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");
CREATE INDEX "ApiToken_userId_kind_idx" ON "ApiToken"("userId", "kind");
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
    "keepImages" INTEGER NOT NULL DEFAULT 5,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Service_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Service_activeDeploymentId_fkey" FOREIGN KEY ("activeDeploymentId") REFERENCES "Deployment" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
-- Each service keeps the name it had on its servers ("<project>-<service>") where no other service
-- shares it. Services that shared one (project "acme-api" + "web", "acme" + "api-web") get
-- "<project>--<service>", which no other name can spell, and start afresh at their next deploy.
INSERT INTO "new_Service" ("createdAt", "gitRef", "gitRepository", "healthCheckPath", "healthCheckTimeoutSeconds", "id", "image", "imageBase", "keepImages", "name", "port", "projectId", "sourceType", "updatedAt", "agentName") SELECT s."createdAt", s."gitRef", s."gitRepository", s."healthCheckPath", s."healthCheckTimeoutSeconds", s."id", s."image", s."imageBase", s."keepImages", s."name", s."port", s."projectId", s."sourceType", s."updatedAt",
    CASE WHEN (SELECT COUNT(*) FROM "Service" s2 JOIN "Project" p2 ON p2."id" = s2."projectId" WHERE p2."name" || '-' || s2."name" = p."name" || '-' || s."name") = 1
         THEN p."name" || '-' || s."name"
         ELSE p."name" || '--' || s."name" END
    FROM "Service" s JOIN "Project" p ON p."id" = s."projectId";
DROP TABLE "Service";
ALTER TABLE "new_Service" RENAME TO "Service";
CREATE UNIQUE INDEX "Service_agentName_key" ON "Service"("agentName");
CREATE UNIQUE INDEX "Service_activeDeploymentId_key" ON "Service"("activeDeploymentId");
CREATE UNIQUE INDEX "Service_projectId_name_key" ON "Service"("projectId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "OwnedDnsRecord_hostname_idx" ON "OwnedDnsRecord"("hostname");

-- CreateIndex
CREATE INDEX "AuditLogEntry_action_createdAt_idx" ON "AuditLogEntry"("action", "createdAt");


