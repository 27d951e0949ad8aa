import {
  CredentialProvider, DeploymentStatus, EventLevel, OperationKind, OperationStatus, SourceType, TargetStatus, UserRole,
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
export const TargetStatusEnum = builder.enumType(TargetStatus, { name: "TargetStatus" });
