-- CreateEnum
CREATE TYPE "ReleaseState" AS ENUM ('PENDING', 'STARTING', 'HEALTHY', 'UNHEALTHY', 'SWITCHED', 'DRAINING', 'STOPPED', 'FAILED', 'REVERTED', 'UNKNOWN');

-- AlterEnum
ALTER TYPE "OperationKind" ADD VALUE 'RECONCILE';

-- AlterTable
ALTER TABLE "Deployment" DROP COLUMN "imageId",
ADD COLUMN     "drainTimeoutSeconds" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "healthCheckIntervalMs" INTEGER NOT NULL DEFAULT 200,
ADD COLUMN     "routedAt" TIMESTAMP(3);

-- AlterTable: the old statuses are states of the new machine under the same names.
ALTER TABLE "DeploymentTarget" ADD COLUMN     "state" "ReleaseState" NOT NULL DEFAULT 'PENDING';
UPDATE "DeploymentTarget" SET "state" = "status"::text::"ReleaseState";
ALTER TABLE "DeploymentTarget" DROP COLUMN "status";

-- AlterTable
ALTER TABLE "OperationEvent" ADD COLUMN     "releaseState" "ReleaseState";

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "drainTimeoutSeconds" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "healthCheckIntervalMs" INTEGER NOT NULL DEFAULT 200;

-- AlterTable
ALTER TABLE "ServiceServer" ADD COLUMN     "reportedAt" TIMESTAMP(3);

-- DropEnum
DROP TYPE "TargetStatus";


