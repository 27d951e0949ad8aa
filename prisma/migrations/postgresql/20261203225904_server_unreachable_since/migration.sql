-- AlterTable
ALTER TABLE "Server" ADD COLUMN     "unreachableSince" TIMESTAMP(3);
