"use client";

import { DisableUserDocument, EnableUserDocument, SetUserRoleDocument, type UserFieldsFragment, type UserRole } from "@slipway/sdk";
import { ConfirmAction } from "../ConfirmAction";
import { FormError } from "../FormError";
import { RelativeTime } from "../RelativeTime";
import { SelectField } from "../SelectField";
import { useAction } from "../useAction";
import { ROLES } from "./roles";

export function UserRow({ user, isViewer }: { user: UserFieldsFragment; isViewer: boolean }) {
  const setRole = useAction(SetUserRoleDocument, (data) => data.setUserRole);
  const disable = useAction(DisableUserDocument, (data) => data.disableUser);
  const enable = useAction(EnableUserDocument, (data) => data.enableUser);
  const message = setRole.message ?? disable.message ?? enable.message;

  return (
    <li className={user.disabled ? "row row--inactive" : "row"}>
      <div className="row__main">
        <p className="row__title">
          {user.name} {isViewer ? <span className="badge">You</span> : null}
        </p>
        <p className="row__meta">
          {user.email} · since <RelativeTime iso={user.createdAt} />
          {user.disabled ? (
            <>
              {" · "}
              <span className="status status--bad">Disabled</span>
            </>
          ) : null}
        </p>
        <FormError message={message} />
      </div>
      <div className="row__actions">
        <SelectField
          label={`Role of ${user.name}`}
          value={user.role}
          disabled={setRole.fetching}
          onChange={(event) => void setRole.run({ id: user.id, role: event.currentTarget.value as UserRole })}
          options={ROLES.map((role) => ({ value: role.value, label: role.label }))}
        />
        {user.disabled ? (
          <button type="button" className="button button--secondary" disabled={enable.fetching} onClick={() => void enable.run({ id: user.id })}>
            Enable
          </button>
        ) : (
          <ConfirmAction
            label="Disable"
            confirmLabel={`Disable ${user.name}`}
            question={`Disable ${user.email}? Their sessions end now and their API tokens stop working.`}
            busy={disable.fetching}
            onConfirm={() => void disable.run({ id: user.id })}
          />
        )}
      </div>
    </li>
  );
}
