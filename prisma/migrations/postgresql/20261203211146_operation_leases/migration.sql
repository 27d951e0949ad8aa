-- AlterEnum
ALTER TYPE "DeploymentStatus" ADD VALUE 'INTERRUPTED';

-- AlterEnum
ALTER TYPE "OperationStatus" ADD VALUE 'CANCELLED';

-- DropIndex
DROP INDEX "Operation_status_idx";

-- AlterTable
ALTER TABLE "Operation" ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3),
ADD COLUMN     "handler" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "heartbeatAt" TIMESTAMP(3),
ADD COLUMN     "ownerId" TEXT;

-- CreateTable
CREATE TABLE "ControlPlaneKey" (
    "name" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "privateKeyCiphertext" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ControlPlaneKey_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "BuildContextChunk" (
    "deploymentId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "BuildContextChunk_pkey" PRIMARY KEY ("deploymentId","index")
);

-- CreateIndex
CREATE INDEX "Operation_status_heartbeatAt_idx" ON "Operation"("status", "heartbeatAt");

-- AddForeignKey
ALTER TABLE "BuildContextChunk" ADD CONSTRAINT "BuildContextChunk_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;


