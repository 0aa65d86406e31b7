/** The installation's random id (schema/installation.ts), which outgoing Message-IDs mix in. */
import { sql } from "drizzle-orm";
import { executeRows, type Db } from "../database.js";
import { installation } from "../schema/index.js";

/**
 * The installation id. The migration that creates the table inserts the row; should it be missing (a
 * table emptied by hand) a new random one is made here rather than sending mail with no id at all.
 */
export async function installationId(db: Db): Promise<string> {
  const rows = await executeRows<{ installation_id: string }>(
    db,
    sql`with made as (insert into ${installation} default values on conflict (id) do nothing returning installation_id)
        select installation_id from made union all select installation_id from ${installation} limit 1`,
  );
  return rows[0]!.installation_id;
}
