import {
  CredentialProvider, DeploymentStatus, EventLevel, OperationKind, OperationStatus, ReleaseState, SourceType, UserRole,
} from "../../generated/prisma/enums.js";
import { builder } from "../builder.js";

// GraphQL enums mirror the database's, so they cannot drift apart.
export const UserRoleEnum = builder.enumType(UserRole, { name: "UserRole" });
export const CredentialProviderEnum = builder.enumType(CredentialProvider, { name: "CredentialProvider" });
export const SourceTypeEnum = builder.enumType(SourceType, { name: "SourceType" });
export const OperationKindEnum = builder.enumType(OperationKind, { name: "OperationKind" });
export const OperationStatusEnum = builder.enumType(OperationStatus, { name: "OperationStatus" });
export const EventLevelEnum = builder.enumType(EventLevel, { name: "EventLevel" });
export const DeploymentStatusEnum = builder.enumType(DeploymentStatus, { name: "DeploymentStatus" });
export const ReleaseStateEnum = builder.enumType(ReleaseState, {
  name: "ReleaseState",
  description:
    "A release on one server: PENDING, STARTING, then HEALTHY or UNHEALTHY; SWITCHED (traffic moved), DRAINING, STOPPED (the old container stopped); FAILED (nothing changed), REVERTED (put back: another server failed), UNKNOWN (contact lost mid-release, until the server answers again).",
});
