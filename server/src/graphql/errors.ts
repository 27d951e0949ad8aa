import {
  ConflictError, ForbiddenError, InvalidCredentialsError, NotFoundError, ValidationError, type FieldError,
} from "../domain/errors.js";
import { builder } from "./builder.js";

// Domain errors become members of each mutation's result union; clients match on __typename.

export const ErrorInterface = builder.interfaceRef<Error>("Error").implement({
  fields: (t) => ({ message: t.exposeString("message") }),
});

const FieldErrorRef = builder.objectRef<FieldError>("FieldError").implement({
  fields: (t) => ({
    path: t.exposeStringList("path"),
    message: t.exposeString("message"),
  }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({ fieldErrors: t.field({ type: [FieldErrorRef], resolve: (error) => error.fieldErrors }) }),
});

for (const [ErrorClass, name] of [
  [NotFoundError, "NotFoundError"],
  [ConflictError, "ConflictError"],
  [InvalidCredentialsError, "InvalidCredentialsError"],
  [ForbiddenError, "ForbiddenError"],
] as const) {
  builder.objectType(ErrorClass, {
    name,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof ErrorClass,
  });
}

export { ConflictError, ForbiddenError, InvalidCredentialsError, NotFoundError, ValidationError };
