-- AlterEnum
ALTER TYPE "OperationKind" ADD VALUE 'DELETE_SERVICE';

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "removalOperationId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Service_removalOperationId_key" ON "Service"("removalOperationId");

-- AddForeignKey
ALTER TABLE "Service" ADD CONSTRAINT "Service_removalOperationId_fkey" FOREIGN KEY ("removalOperationId") REFERENCES "Operation"("id") ON DELETE SET NULL ON UPDATE CASCADE;


