-- AlterTable
ALTER TABLE "Server" ADD COLUMN "unreachableSince" DATETIME;
