-- The console dashboard's counter history (store.MetricIncrease): how
-- much each instance's counter series grew in the minute ending at time
-- (whole minutes). The dashboard reads the rows newer than a time summed
-- over instances by time and series, which the primary key's order
-- answers; purges delete by time.
CREATE TABLE metric_increases (
    time     TIMESTAMPTZ NOT NULL,
    series   TEXT COLLATE "C" NOT NULL,
    instance TEXT COLLATE "C" NOT NULL,
    value    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (time, series, instance)
);
