//! The host inventory (CMDB) of each tenant: a row per host with its labels
//! as JSON, and the labels again one row each (`host_labels`) so that a
//! selector's `key=value` terms narrow a listing in SQL; the selector's other
//! terms are checked on the rows read.

use std::collections::BTreeMap;

use sqlx::Any;

use super::Db;
use crate::inventory::{Host, Selector, SelectorSet};

#[derive(Clone)]
pub struct HostStore {
    db: Db,
}

type Row = (String, String, String, String, Option<String>, Option<String>);

fn host_of((id, hostname, ip, labels, agent, last_seen): Row) -> anyhow::Result<Host> {
    let labels: BTreeMap<String, String> = serde_json::from_str(&labels)?;
    Ok(Host { id, hostname, ip, labels, agent, last_seen })
}

/// A page of hosts and the cursor of the next, if there are more.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct HostPage {
    pub hosts: Vec<Host>,
    pub next: Option<String>,
}

/// What an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Imported {
    pub created: usize,
    pub updated: usize,
    pub removed: usize,
}

/// Rows read per query while filling a page.
const BATCH: i64 = 500;

impl HostStore {
    pub(super) fn new(db: Db) -> HostStore {
        HostStore { db }
    }

    /// Hosts of `tenant` matching `selector` (and, if given, admitted by
    /// `within`), in id order, starting after `after`.
    pub async fn page(
        &self,
        tenant: &str,
        selector: &Selector,
        within: Option<&SelectorSet>,
        after: Option<&str>,
        limit: usize,
    ) -> anyhow::Result<HostPage> {
        let required: Vec<(&str, &str)> = selector.required_labels().collect();
        let mut sql = String::from(
            "SELECT id, hostname, ip, labels, agent, last_seen FROM hosts h WHERE tenant = $1 AND id > $2",
        );
        for n in 0..required.len() {
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM host_labels l WHERE l.tenant = h.tenant AND l.host = h.id AND l.key = ${} AND l.value = ${})",
                3 + 2 * n,
                4 + 2 * n
            ));
        }
        sql.push_str(&format!(" ORDER BY id LIMIT {BATCH}"));
        let mut cursor = after.unwrap_or("").to_string();
        let mut hosts = Vec::new();
        loop {
            // Only placeholders are added to the text; every value is bound.
            let mut query = sqlx::query_as::<Any, Row>(sqlx::AssertSqlSafe(sql.clone())).bind(tenant).bind(&cursor);
            for (key, value) in &required {
                query = query.bind(*key).bind(*value);
            }
            let rows = query.fetch_all(self.db.pool()).await?;
            let exhausted = (rows.len() as i64) < BATCH;
            for row in rows {
                cursor = row.0.clone();
                let host = host_of(row)?;
                if selector.matches(&host) && within.is_none_or(|set| set.admits(&host)) {
                    hosts.push(host);
                    if hosts.len() > limit {
                        hosts.truncate(limit);
                        let next = hosts.last().map(|h| h.id.clone());
                        return Ok(HostPage { hosts, next });
                    }
                }
            }
            if exhausted {
                return Ok(HostPage { hosts, next: None });
            }
        }
    }

    pub async fn get(&self, tenant: &str, id: &str) -> anyhow::Result<Option<Host>> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, hostname, ip, labels, agent, last_seen FROM hosts WHERE tenant = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?;
        row.map(host_of).transpose()
    }

    /// Every host of `tenant`, in id order (for export).
    pub async fn all(&self, tenant: &str) -> anyhow::Result<Vec<Host>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, hostname, ip, labels, agent, last_seen FROM hosts WHERE tenant = $1 ORDER BY id",
        )
        .bind(tenant)
        .fetch_all(self.db.pool())
        .await?;
        rows.into_iter().map(host_of).collect()
    }

    /// Create or replace one host; `true` if it is new.
    pub async fn put(&self, tenant: &str, host: &Host) -> anyhow::Result<bool> {
        let mut tx = self.db.begin_exclusive().await?;
        let created = write(&mut tx, tenant, host).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Record that agent `agent` serves host `id`, heard from now.
    pub async fn set_agent(&self, tenant: &str, id: &str, agent: &str) -> anyhow::Result<()> {
        sqlx::query("UPDATE hosts SET agent = $3, last_seen = $4 WHERE tenant = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .bind(agent)
            .bind(super::now_rfc3339())
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    /// Remove a host; `false` if there was none.
    pub async fn delete(&self, tenant: &str, id: &str) -> anyhow::Result<bool> {
        let mut tx = self.db.begin_exclusive().await?;
        let done = remove(&mut tx, tenant, id).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Write every host in one transaction (all or nothing); with `replace`,
    /// hosts of the tenant not in `hosts` are removed.
    pub async fn import(&self, tenant: &str, hosts: &[Host], replace: bool) -> anyhow::Result<Imported> {
        let mut tx = self.db.begin_exclusive().await?;
        let mut imported = Imported { created: 0, updated: 0, removed: 0 };
        for host in hosts {
            if write(&mut tx, tenant, host).await? {
                imported.created += 1;
            } else {
                imported.updated += 1;
            }
        }
        if replace {
            let keep: std::collections::HashSet<&str> = hosts.iter().map(|h| h.id.as_str()).collect();
            let ids: Vec<(String,)> =
                sqlx::query_as("SELECT id FROM hosts WHERE tenant = $1").bind(tenant).fetch_all(&mut *tx).await?;
            for (id,) in ids.into_iter().filter(|(id,)| !keep.contains(id.as_str())) {
                remove(&mut tx, tenant, &id).await?;
                imported.removed += 1;
            }
        }
        tx.commit().await?;
        Ok(imported)
    }
}

async fn write(tx: &mut sqlx::Transaction<'static, Any>, tenant: &str, host: &Host) -> anyhow::Result<bool> {
    let existed: Option<(String,)> = sqlx::query_as("SELECT id FROM hosts WHERE tenant = $1 AND id = $2")
        .bind(tenant)
        .bind(&host.id)
        .fetch_optional(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO hosts (tenant, id, hostname, ip, labels, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant, id) DO UPDATE SET hostname = excluded.hostname, ip = excluded.ip,
         labels = excluded.labels, updated_at = excluded.updated_at",
    )
    .bind(tenant)
    .bind(&host.id)
    .bind(&host.hostname)
    .bind(&host.ip)
    .bind(serde_json::to_string(&host.labels)?)
    .bind(super::now_rfc3339())
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM host_labels WHERE tenant = $1 AND host = $2")
        .bind(tenant)
        .bind(&host.id)
        .execute(&mut **tx)
        .await?;
    for (key, value) in &host.labels {
        sqlx::query("INSERT INTO host_labels (tenant, host, key, value) VALUES ($1, $2, $3, $4)")
            .bind(tenant)
            .bind(&host.id)
            .bind(key)
            .bind(value)
            .execute(&mut **tx)
            .await?;
    }
    Ok(existed.is_none())
}

async fn remove(tx: &mut sqlx::Transaction<'static, Any>, tenant: &str, id: &str) -> anyhow::Result<bool> {
    sqlx::query("DELETE FROM host_labels WHERE tenant = $1 AND host = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let done =
        sqlx::query("DELETE FROM hosts WHERE tenant = $1 AND id = $2").bind(tenant).bind(id).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_backends;

    fn host(id: &str, labels: &[(&str, &str)]) -> Host {
        Host {
            id: id.into(),
            hostname: format!("{id}-name"),
            ip: "10.1.2.3".into(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            agent: None,
            last_seen: None,
        }
    }

    #[tokio::test]
    async fn pages_follow_the_selector_and_the_grant_and_tenants_stay_apart() {
        for db in test_backends().await {
            let hosts = db.hosts();
            for i in 0..30 {
                let zone = if i % 3 == 0 { "eu-1" } else { "eu-2" };
                hosts.put("t", &host(&format!("h{i:02}"), &[("zone", zone), ("role", "game")])).await.unwrap();
            }
            hosts.put("other", &host("h00", &[("zone", "eu-1")])).await.unwrap();
            let eu1: Selector = "zone=eu-1,role=game".parse().unwrap();
            let first = hosts.page("t", &eu1, None, None, 4).await.unwrap();
            assert_eq!(first.hosts.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["h00", "h03", "h06", "h09"]);
            let rest = hosts.page("t", &eu1, None, first.next.as_deref(), 100).await.unwrap();
            assert_eq!((rest.hosts.len(), rest.next), (6, None));
            let grant = SelectorSet(vec!["id=h03".parse().unwrap(), "id=h04".parse().unwrap()]);
            let granted = hosts.page("t", &eu1, Some(&grant), None, 100).await.unwrap();
            assert_eq!(granted.hosts.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["h03"]);
            let not: Selector = "zone!=eu-2".parse().unwrap();
            assert_eq!(hosts.page("other", &not, None, None, 100).await.unwrap().hosts.len(), 1);

            // Changing labels moves a host out of a selector.
            hosts.put("t", &host("h00", &[("zone", "eu-3")])).await.unwrap();
            assert_eq!(hosts.page("t", &eu1, None, None, 100).await.unwrap().hosts.len(), 9);
            let imported = hosts.import("t", &[host("h00", &[]), host("new", &[])], true).await.unwrap();
            assert_eq!(imported, Imported { created: 1, updated: 1, removed: 29 });
            assert_eq!(hosts.all("t").await.unwrap().len(), 2);
            assert_eq!(hosts.all("other").await.unwrap().len(), 1, "another tenant's hosts are untouched");
            assert!(hosts.delete("t", "new").await.unwrap());
            assert!(!hosts.delete("t", "new").await.unwrap());
        }
    }
}
