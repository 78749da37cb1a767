"""What each local cluster has that Azure's servers have: the `azure_pg_admin` role, and the pgaadauth
functions `pgaadauth_create_principal_with_oid` and `pgaadauth_list_principals`, written in PL/pgSQL.

Azure keeps a principal's object id and type in a security label of provider `pgaadauth`; `SECURITY
LABEL` needs a provider loaded as a C module, so the local clusters keep the same text
(`aadauth,oid=<oid>,type=<user|group|service>[,admin]`) as the role's comment (`COMMENT ON ROLE`,
shared like labels, dropped with the role). The functions run as their caller, as on Azure: only an
Entra admin (a member of azure_pg_admin with CREATEROLE) can create principals.
"""

from __future__ import annotations

ADMIN_GROUP = "azure_pg_admin"

CLUSTER = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ADMIN_GROUP}') THEN
    CREATE ROLE {ADMIN_GROUP} NOLOGIN;
  END IF;
END $$;
ALTER DATABASE postgres OWNER TO {ADMIN_GROUP};
REVOKE ALL ON DATABASE template1 FROM PUBLIC;
"""

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION public.pgaadauth_create_principal_with_oid(
    "roleName" text, "objectId" text, "objectType" text, "isAdmin" boolean, "isMfa" boolean)
RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  kind text := lower("objectType");
BEGIN
  IF kind NOT IN ('user', 'group', 'service') THEN
    RAISE EXCEPTION 'Invalid object type: %. Supported values are user, group and service.', "objectType"
      USING ERRCODE = '22023';
  END IF;
  IF "objectId" !~* '^[0-9a-f]{{8}}-([0-9a-f]{{4}}-){{3}}[0-9a-f]{{12}}$' THEN
    RAISE EXCEPTION 'Invalid object id: %', "objectId" USING ERRCODE = '22023';
  END IF;
  IF "isAdmin" THEN
    EXECUTE format('CREATE ROLE %I LOGIN CREATEROLE CREATEDB IN ROLE {ADMIN_GROUP}', "roleName");
  ELSE
    EXECUTE format('CREATE ROLE %I LOGIN', "roleName");
  END IF;
  EXECUTE format('COMMENT ON ROLE %I IS %L', "roleName",
    'aadauth,oid=' || lower("objectId") || ',type=' || kind || CASE WHEN "isAdmin" THEN ',admin' ELSE '' END);
  RETURN format('Created role for "%s"', "roleName");
END
$fn$;

CREATE OR REPLACE FUNCTION public.pgaadauth_list_principals("isAdmin" boolean)
RETURNS TABLE(rolname name, principaltype text, objectid text, tenantid text, ismfa integer, isadmin integer)
LANGUAGE sql STABLE AS $fn$
  SELECT r.rolname,
         substring(d.description from 'type=([a-z]+)'),
         substring(d.description from 'oid=([0-9a-f-]+)'),
         NULL::text, 0,
         CASE WHEN d.description LIKE '%,admin' THEN 1 ELSE 0 END
  FROM pg_roles r
  JOIN pg_shdescription d ON d.objoid = r.oid AND d.classoid = 'pg_authid'::regclass
  WHERE d.description LIKE 'aadauth,%' AND (NOT "isAdmin" OR d.description LIKE '%,admin')
$fn$;
"""

SEED_TABLE = f"""
CREATE TABLE IF NOT EXISTS public.checks (id integer PRIMARY KEY, note text NOT NULL);
ALTER TABLE public.checks OWNER TO {ADMIN_GROUP};
INSERT INTO public.checks VALUES (1, 'provision verify reads this row') ON CONFLICT DO NOTHING;
"""
"""The table each local database is made with, which verify's `read` and `write` checks use."""

ROLE_OF = "SELECT rolname FROM pgaadauth_list_principals(false) WHERE rolname = %s AND objectid = %s"
