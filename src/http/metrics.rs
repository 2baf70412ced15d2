//! Prometheus metrics, served by `GET /metrics` (api::health): request counts and latency
//! histograms by route pattern and status (actix-web-prom), plus the database pool's gauges
//! read at scrape time.

use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntGauge, Opts, Registry};

use crate::db::Pool;

/// Reports the pool's size and idle connections whenever metrics are scraped.
struct PoolCollector {
    pool: Pool,
    connections: IntGauge,
    idle: IntGauge,
    max: IntGauge,
}

impl Collector for PoolCollector {
    fn desc(&self) -> Vec<&Desc> {
        [&self.connections, &self.idle, &self.max]
            .into_iter()
            .flat_map(|g| g.desc())
            .collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let state = self.pool.state();
        self.connections.set(i64::from(state.connections));
        self.idle.set(i64::from(state.idle_connections));
        self.max.set(i64::from(self.pool.max_size()));
        [&self.connections, &self.idle, &self.max]
            .into_iter()
            .flat_map(|g| g.collect())
            .collect()
    }
}

/// Builds the metrics middleware, with the pool gauges registered.
pub fn middleware(pool: &Pool) -> anyhow::Result<actix_web_prom::PrometheusMetrics> {
    let registry = Registry::new();
    let gauge =
        |name: &str, help: &str| IntGauge::with_opts(Opts::new(name, help).namespace("thidua"));
    registry.register(Box::new(PoolCollector {
        pool: pool.clone(),
        connections: gauge("db_pool_connections", "Open database connections")?,
        idle: gauge("db_pool_idle_connections", "Idle database connections")?,
        max: gauge(
            "db_pool_max_connections",
            "Largest allowed number of database connections",
        )?,
    }))?;
    actix_web_prom::PrometheusMetricsBuilder::new("thidua")
        // GET /metrics is an ordinary handler (so the API document lists it); its own
        // requests are not counted.
        .exclude("/metrics")
        .registry(registry)
        .mask_unmatched_patterns("UNMATCHED")
        .build()
        .map_err(|e| anyhow::anyhow!("building metrics: {e}"))
}
