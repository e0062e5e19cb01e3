import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Card, CardHeader } from "@/app/_components/ui";
import { can, PERMISSION_NAMES, PERMISSIONS, ROLE_INFO, ROLE_ORDER } from "@/server/services/core/permissions";

/**
 * Every role and what it may do, drawn from the catalogue every procedure and API operation
 * declares its permission from: there is no second list to keep in step.
 */
export function RolesCard() {
  return (
    <Card>
      <CardHeader
        title="Roles and permissions"
        description="What each role may do in this workspace. The same list decides every request."
      />
      <ul className="grid gap-2 border-b border-slate-100 px-5 py-4 text-sm sm:grid-cols-2">
        {ROLE_ORDER.map((role) => (
          <li key={role}>
            <span className="font-medium text-slate-900">{role}</span> <span className="text-slate-500">– {ROLE_INFO[role].summary}</span>
          </li>
        ))}
      </ul>
      <Table>
        <thead>
          <tr>
            <Th>Permission</Th>
            {ROLE_ORDER.map((role) => (
              <Th key={role} className="text-center">
                {role}
              </Th>
            ))}
          </tr>
        </thead>
        <TBody>
          {PERMISSION_NAMES.map((permission) => (
            <tr key={permission} data-testid="permission-row">
              <Td>
                <div className="min-w-64 whitespace-normal">
                  <span className="font-medium text-slate-900">{PERMISSIONS[permission].summary}</span>{" "}
                  <code className="text-xs text-slate-500">{permission}</code>
                </div>
              </Td>
              {ROLE_ORDER.map((role) => (
                <Td key={role} className="text-center">
                  {can(role, permission) ? (
                    <span className="text-emerald-600" role="img" aria-label={`${role} may`}>
                      ✓
                    </span>
                  ) : (
                    <span className="text-slate-300" role="img" aria-label={`${role} may not`}>
                      –
                    </span>
                  )}
                </Td>
              ))}
            </tr>
          ))}
        </TBody>
      </Table>
    </Card>
  );
}
