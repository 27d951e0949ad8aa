-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Server" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "providerId" TEXT,
    "region" TEXT,
    "size" TEXT,
    "publicIpv4" TEXT,
    "privateIpv4" TEXT,
    "sshPort" INTEGER NOT NULL DEFAULT 22,
    "sshUser" TEXT NOT NULL DEFAULT 'root',
    "status" TEXT NOT NULL DEFAULT 'PROVISIONING',
    "managed" BOOLEAN NOT NULL DEFAULT true,
    "agentVersion" TEXT,
    "agentPort" INTEGER NOT NULL DEFAULT 7420,
    "agentTokenCiphertext" TEXT,
    "hostKeyFingerprint" TEXT,
    "snapshotId" TEXT,
    "lastSeenAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Server_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "Snapshot" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Server" ("agentVersion", "createdAt", "hostKeyFingerprint", "id", "kind", "lastSeenAt", "managed", "name", "privateIpv4", "providerId", "publicIpv4", "region", "size", "snapshotId", "sshPort", "sshUser", "status", "updatedAt") SELECT "agentVersion", "createdAt", "hostKeyFingerprint", "id", "kind", "lastSeenAt", "managed", "name", "privateIpv4", "providerId", "publicIpv4", "region", "size", "snapshotId", "sshPort", "sshUser", "status", "updatedAt" FROM "Server";
DROP TABLE "Server";
ALTER TABLE "new_Server" RENAME TO "Server";
CREATE UNIQUE INDEX "Server_name_key" ON "Server"("name");
CREATE UNIQUE INDEX "Server_providerId_key" ON "Server"("providerId");
CREATE INDEX "Server_status_idx" ON "Server"("status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
